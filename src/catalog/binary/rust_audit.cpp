// cargo-auditable dependency lists (the `.dep-v0` section): zlib-compressed JSON.
#include <zlib.h>

#include <limits>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "catalog/binary/binary_cataloger.h"

namespace bulwark::catalog {

std::optional<std::string> inflateZlib(std::string_view compressed, std::size_t max_output) {
  if (compressed.size() > std::numeric_limits<uInt>::max()) return std::nullopt;
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return std::nullopt;
  // zlib does not write through next_in; its API just lacks const.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  constexpr std::size_t kChunk = 64 << 10;
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    if (out.size() >= max_output + 1) break;
    const std::size_t before = out.size();
    const std::size_t room = std::min(kChunk, max_output + 1 - before);
    out.resize(before + room);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    stream.avail_out = static_cast<uInt>(room);
    status = inflate(&stream, Z_NO_FLUSH);
    out.resize(before + (room - stream.avail_out));
    if (status != Z_OK && status != Z_STREAM_END) break;
    if (status == Z_OK && out.size() == before && stream.avail_in == 0) break;  // truncated
  }
  inflateEnd(&stream);
  if (status != Z_STREAM_END || out.size() > max_output) return std::nullopt;
  return out;
}

std::vector<model::Package> parseCargoAuditableJson(std::string_view json, std::string_view path,
                                                    core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  auto malformed = [&](std::string where, std::string detail) {
    diagnostics.add("binary.malformed-cargo-auditable", std::move(where), std::move(detail));
  };
  const nlohmann::json document = nlohmann::json::parse(json, nullptr, false);
  if (document.is_discarded()) {
    malformed(std::string(path), "dependency list is not valid JSON");
    return out;
  }
  const auto packages = document.is_object() ? document.find("packages") : document.end();
  if (!document.is_object() || packages == document.end() || !packages->is_array()) {
    malformed(std::string(path), "dependency list has no \"packages\" array");
    return out;
  }
  const std::size_t count = packages->size();
  // Which entries are runtime packages (kind absent means runtime), with their names.
  std::vector<const nlohmann::json*> runtime(count, nullptr);
  for (std::size_t i = 0; i < count; ++i) {
    const nlohmann::json& entry = (*packages)[i];
    const std::string where = fmt::format("{}:packages[{}]", path, i);
    if (!entry.is_object()) {
      malformed(where, "package is not an object");
      continue;
    }
    const auto name = entry.find("name");
    const auto version = entry.find("version");
    if (name == entry.end() || !name->is_string() || name->get_ref<const std::string&>().empty() ||
        version == entry.end() || !version->is_string()) {
      malformed(where, "package needs string \"name\" and \"version\"");
      continue;
    }
    const auto kind = entry.find("kind");
    if (kind != entry.end() && (!kind->is_string() || *kind != "runtime")) continue;  // "build"
    runtime[i] = &entry;
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (runtime[i] == nullptr) continue;
    const nlohmann::json& entry = *runtime[i];
    model::Package package;
    package.type = model::PackageType::Cargo;
    package.name = entry.at("name").get<std::string>();
    package.version = entry.at("version").get<std::string>();
    package.location.path = std::string(path);
    std::set<std::string> depends;
    const auto dependencies = entry.find("dependencies");
    if (dependencies != entry.end() && dependencies->is_array()) {
      for (const auto& index : *dependencies) {
        if (!index.is_number_unsigned() || index.get<std::uint64_t>() >= count) {
          malformed(fmt::format("{}:packages[{}]", path, i), "dependency index out of range");
          continue;
        }
        const nlohmann::json* dependency = runtime[index.get<std::size_t>()];
        if (dependency != nullptr) depends.insert(dependency->at("name").get<std::string>());
      }
    }
    package.depends.assign(depends.begin(), depends.end());
    out.push_back(std::move(package));
  }
  return out;
}

std::vector<model::Package> parseDepV0(std::string_view compressed, std::string_view path,
                                       core::Diagnostics& diagnostics) {
  const auto json = inflateZlib(compressed, kMaxDepV0JsonBytes);
  if (!json) {
    diagnostics.add(
        "binary.malformed-cargo-auditable", std::string(path),
        fmt::format(".dep-v0 is not zlib data of at most {} bytes", kMaxDepV0JsonBytes));
    return {};
  }
  return parseCargoAuditableJson(*json, path, diagnostics);
}

}  // namespace bulwark::catalog
