// Builds rpm header blobs (the database form: il, dl, index, data) for tests and fuzz seeds,
// laid out as rpm lays them out: an immutable region tag first, data in index order with each
// type's alignment, and the region trailer at the end of the data.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark::testing {

class HeaderBuilder {
 public:
  HeaderBuilder& string(std::uint32_t tag, std::string_view value, std::uint32_t type = 6) {
    std::string data(value);
    data.push_back('\0');
    return raw(tag, type, std::move(data), 1);
  }
  HeaderBuilder& strings(std::uint32_t tag, const std::vector<std::string>& values) {
    std::string data;
    for (const auto& value : values) data.append(value).push_back('\0');
    return raw(tag, 8, std::move(data), static_cast<std::uint32_t>(values.size()));
  }
  HeaderBuilder& int32s(std::uint32_t tag, const std::vector<std::uint32_t>& values) {
    std::string data;
    for (const auto value : values) appendBe32(data, value);
    return raw(tag, 4, std::move(data), static_cast<std::uint32_t>(values.size()));
  }
  HeaderBuilder& bin(std::uint32_t tag, std::string_view bytes) {
    return raw(tag, 7, std::string(bytes), static_cast<std::uint32_t>(bytes.size()));
  }
  HeaderBuilder& raw(std::uint32_t tag, std::uint32_t type, std::string data, std::uint32_t count) {
    items_.push_back({tag, type, std::move(data), count});
    return *this;
  }
  HeaderBuilder& region(bool on) {
    region_ = on;
    return *this;
  }

  [[nodiscard]] std::string build() const {
    static constexpr std::uint32_t kAlign[] = {1, 1, 1, 2, 4, 8, 1, 1, 1, 1};
    std::string index;
    std::string data;
    const auto il = static_cast<std::uint32_t>(items_.size() + (region_ ? 1 : 0));
    for (const auto& item : items_) {
      const std::uint32_t align = item.type < 10 ? kAlign[item.type] : 1;
      while (data.size() % align != 0) data.push_back('\0');
      appendEntry(index, item.tag, item.type, static_cast<std::uint32_t>(data.size()), item.count);
      data += item.data;
    }
    std::string region_entry;
    if (region_) {
      appendEntry(region_entry, 63, 7, static_cast<std::uint32_t>(data.size()), 16);
      appendEntry(data, 63, 7, static_cast<std::uint32_t>(-static_cast<std::int32_t>(il * 16)), 16);
    }
    std::string blob;
    appendBe32(blob, il);
    appendBe32(blob, static_cast<std::uint32_t>(data.size()));
    return blob + region_entry + index + data;
  }

  static void appendBe32(std::string& out, std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((value >> shift) & 0xff));
    }
  }

 private:
  struct Item {
    std::uint32_t tag;
    std::uint32_t type;
    std::string data;
    std::uint32_t count;
  };
  static void appendEntry(std::string& out, std::uint32_t tag, std::uint32_t type,
                          std::uint32_t offset, std::uint32_t count) {
    appendBe32(out, tag);
    appendBe32(out, type);
    appendBe32(out, offset);
    appendBe32(out, count);
  }
  std::vector<Item> items_;
  bool region_ = true;
};

// A typical package header: the fields bulwark reads, in tag order.
inline HeaderBuilder samplePackage(std::string_view name = "zlib") {
  HeaderBuilder builder;
  builder
      .bin(261,
           std::string_view("\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef", 16))
      .string(1000, name)
      .string(1001, "1.2.11")
      .string(1002, "10.el8")
      .int32s(1003, {2})
      .string(1004, "The zlib compression library", 9)
      .int32s(1009, {201640})
      .string(1011, "Red Hat, Inc.")
      .string(1014, "zlib and Boost")
      .string(1022, "x86_64")
      .string(1044, "zlib-1.2.11-10.el8.src.rpm")
      .int32s(1116, {0, 0, 1})
      .strings(1117, {"libz.so.1", "libz.so.1.2.11", "README"})
      .strings(1118, {"/usr/lib64/", "/usr/share/doc/zlib/"})
      .string(5096, "zlib:1.2:8000:abc");
  return builder;
}

}  // namespace bulwark::testing
