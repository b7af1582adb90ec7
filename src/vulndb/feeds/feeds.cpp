#include "vulndb/feeds/feeds.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <system_error>
#include <vector>

#include <fmt/format.h>

namespace bulwark::vulndb::feeds {

namespace {

constexpr std::array kFormats = {
#define BULWARK_FEED(name, detect, parse, parse_file) FeedFormat{name, detect, parse, parse_file},
#include "vulndb/feeds/feeds.def"
#undef BULWARK_FEED
};

constexpr std::size_t kMaxDirectoryFiles = 10'000'000;

core::Result<std::string> readPrefix(const std::filesystem::path& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(core::ErrorCode::Io, "{}: cannot open", path.string());
  std::string bytes(limit, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(limit));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return core::fail(core::ErrorCode::Io, "{}: read failed", path.string());
  return bytes;
}

core::Status parseFile(const std::filesystem::path& path, const AdvisorySink& sink,
                       core::Diagnostics& diagnostics) {
  const std::string where = path.string();
  auto head = readPrefix(path, kDetectBytes);
  if (!head) return tl::unexpected(head.error());
  const FeedFormat* format = detectFeed(where, *head);
  if (format == nullptr) {
    diagnostics.add("feed.unrecognised", where, "not a known advisory feed format");
    return {};
  }
  if (format->parse_file != nullptr) return format->parse_file(path, sink, diagnostics);
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) return core::fail(core::ErrorCode::Io, "{}: {}", where, error.message());
  if (size > kMaxFeedFileBytes) {
    return core::fail(core::ErrorCode::Limit, "{}: larger than {} bytes", where, kMaxFeedFileBytes);
  }
  auto bytes = readPrefix(path, static_cast<std::size_t>(size));
  if (!bytes) return tl::unexpected(bytes.error());
  return format->parse(*bytes, where, sink, diagnostics);
}

}  // namespace

std::span<const FeedFormat> feedFormats() { return kFormats; }

const FeedFormat* detectFeed(std::string_view path, std::string_view head) {
  for (const auto& format : kFormats) {
    if (format.detect(path, head)) return &format;
  }
  return nullptr;
}

core::Status parseFeedPath(const std::filesystem::path& path, const AdvisorySink& sink,
                           core::Diagnostics& diagnostics) {
  std::error_code error;
  if (!std::filesystem::is_directory(path, error)) return parseFile(path, sink, diagnostics);
  std::vector<std::filesystem::path> files;
  std::filesystem::recursive_directory_iterator it(
      path, std::filesystem::directory_options::skip_permission_denied, error);
  if (error) return core::fail(core::ErrorCode::Io, "{}: {}", path.string(), error.message());
  for (; it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (error) break;
    if (it->is_regular_file(error) && !it->path().filename().string().starts_with('.')) {
      files.push_back(it->path());
      if (files.size() > kMaxDirectoryFiles) {
        return core::fail(core::ErrorCode::Limit, "{}: more than {} files", path.string(),
                          kMaxDirectoryFiles);
      }
    }
  }
  if (error) return core::fail(core::ErrorCode::Io, "{}: {}", path.string(), error.message());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    if (auto parsed = parseFile(file, sink, diagnostics); !parsed) {
      diagnostics.add("feed.unreadable", file.string(), parsed.error().message);
    }
  }
  return {};
}

}  // namespace bulwark::vulndb::feeds
