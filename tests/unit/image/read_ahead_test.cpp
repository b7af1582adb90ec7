#include "image/read_ahead.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

namespace bulwark::image {
namespace {

// A source that hands out `data` in reads of at most `step` bytes, then fails with `fail` (or
// ends), and counts what it handed out.
class ScriptedStream final : public ByteStream {
 public:
  ScriptedStream(std::string data, std::size_t step, bool fail)
      : data_(std::move(data)), step_(step), fail_(fail) {}
  core::Result<std::size_t> read(char* buffer, std::size_t size) override {
    if (offset_ == data_.size()) {
      if (fail_) return core::fail(core::ErrorCode::Io, "disk on fire");
      return 0;
    }
    const std::size_t count = std::min({size, step_, data_.size() - offset_});
    std::memcpy(buffer, data_.data() + offset_, count);
    offset_ += count;
    return count;
  }
  [[nodiscard]] std::size_t handedOut() const { return offset_; }

 private:
  std::string data_;
  std::size_t step_;
  bool fail_;
  std::size_t offset_ = 0;
};

std::string pattern(std::size_t bytes) {
  std::string out(bytes, '\0');
  for (std::size_t i = 0; i < bytes; ++i) out[i] = static_cast<char>((i * 131) ^ (i >> 9));
  return out;
}

core::Result<std::string> drain(ByteStream& stream, std::size_t read_size) {
  std::string out;
  std::string buffer(read_size, '\0');
  while (true) {
    auto got = stream.read(buffer.data(), buffer.size());
    if (!got) return tl::unexpected(got.error());
    if (*got == 0) return out;
    out.append(buffer.data(), *got);
  }
}

// Every byte arrives once and in order, whatever the source's and the consumer's read sizes.
TEST(ReadAheadStream, DeliversTheSourceUnchanged) {
  const std::string data = pattern(3 * ReadAheadStream::kChunkBytes * ReadAheadStream::kChunks + 7);
  for (const std::size_t step : {std::size_t{1} << 10, ReadAheadStream::kChunkBytes, data.size()}) {
    for (const std::size_t read_size : {std::size_t{1}, std::size_t{4093}, std::size_t{3} << 20}) {
      if (read_size == 1 && step != ReadAheadStream::kChunkBytes) continue;  // keep it quick
      SCOPED_TRACE(testing::Message() << "step " << step << ", reads of " << read_size);
      ReadAheadStream ahead(std::make_unique<ScriptedStream>(data, step, false));
      auto got = drain(ahead, read_size);
      ASSERT_TRUE(got) << got.error().message;
      EXPECT_TRUE(*got == data);
    }
  }
}

// The source's error comes after every byte read before it, and again on later reads.
TEST(ReadAheadStream, ReportsTheSourceErrorAfterItsBytes) {
  const std::string data = pattern(2 * ReadAheadStream::kChunkBytes + 5);
  ReadAheadStream ahead(std::make_unique<ScriptedStream>(data, 4096, true));
  std::string seen;
  std::string buffer(65536, '\0');
  core::Result<std::size_t> got = 0;
  while ((got = ahead.read(buffer.data(), buffer.size())) && *got > 0) {
    seen.append(buffer.data(), *got);
  }
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().message, "disk on fire");
  EXPECT_TRUE(seen == data);
  EXPECT_FALSE(ahead.read(buffer.data(), buffer.size()));
}

// finish() stops the reader early: at most the chunks in flight were taken from the source,
// and later reads end.
TEST(ReadAheadStream, FinishStopsReadingAhead) {
  const std::string data = pattern(64 * ReadAheadStream::kChunkBytes);
  auto source = std::make_unique<ScriptedStream>(data, ReadAheadStream::kChunkBytes, false);
  const ScriptedStream* scripted = source.get();
  ReadAheadStream ahead(std::move(source));
  std::string buffer(100, '\0');
  auto got = ahead.read(buffer.data(), buffer.size());
  ASSERT_TRUE(got);
  EXPECT_EQ(std::string(buffer.data(), *got), data.substr(0, *got));
  ahead.finish();
  EXPECT_LE(scripted->handedOut(), (ReadAheadStream::kChunks + 1) * ReadAheadStream::kChunkBytes);
  auto after = ahead.read(buffer.data(), buffer.size());
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, 0U);
}

}  // namespace
}  // namespace bulwark::image
