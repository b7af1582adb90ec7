#include "vulndb/update/state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

namespace bulwark::vulndb::update {

using core::ErrorCode;
using Json = nlohmann::json;

namespace {

constexpr int kStateVersion = 1;

std::string text(const Json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  const auto& value = it->get_ref<const std::string&>();
  return value.size() <= kMaxValidatorBytes ? value : std::string();
}

}  // namespace

std::string statePathFor(const std::string& database) { return database + ".update-state.json"; }

core::Result<UpdateState> parseUpdateState(std::string_view bytes) {
  if (bytes.size() > kMaxStateFileBytes) {
    return core::fail(ErrorCode::Limit, "larger than {} bytes", kMaxStateFileBytes);
  }
  const Json doc = Json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return core::fail(ErrorCode::Input, "not a JSON object");
  }
  const auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer() || *version != kStateVersion) {
    return core::fail(ErrorCode::Input, "unknown state version");
  }
  UpdateState state;
  const auto feeds = doc.find("feeds");
  if (feeds == doc.end() || !feeds->is_object()) return state;
  for (const auto& [url, entry] : feeds->items()) {
    if (state.feeds.size() >= kMaxStateEntries) break;
    if (!entry.is_object() || url.empty() || url.size() > 4096) continue;
    FeedState feed;
    feed.etag = text(entry, "etag");
    feed.last_modified = text(entry, "last_modified");
    feed.fetched_at = text(entry, "fetched_at");
    feed.sha256 = text(entry, "sha256");
    if (const auto n = entry.find("bytes"); n != entry.end() && n->is_number_unsigned()) {
      feed.bytes = n->get<std::uint64_t>();
    }
    state.feeds.emplace(url, std::move(feed));
  }
  return state;
}

std::string serializeUpdateState(const UpdateState& state) {
  nlohmann::ordered_json doc;
  doc["version"] = kStateVersion;
  doc["feeds"] = nlohmann::ordered_json::object();
  for (const auto& [url, feed] : state.feeds) {
    doc["feeds"][url] = {{"etag", feed.etag},
                         {"last_modified", feed.last_modified},
                         {"fetched_at", feed.fetched_at},
                         {"bytes", feed.bytes},
                         {"sha256", feed.sha256}};
  }
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

core::Result<UpdateState> loadUpdateState(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return UpdateState{};
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(ErrorCode::Io, "{}: cannot open", path);
  std::string bytes(kMaxStateFileBytes + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  auto state = parseUpdateState(bytes);
  if (!state) return core::withContext(state.error(), path);
  return state;
}

core::Status saveUpdateState(const std::string& path, const UpdateState& state) {
  const std::string bytes = serializeUpdateState(state);
  std::random_device random;
  const std::string temp = fmt::format("{}.new-{}-{:08x}", path, ::getpid(), random());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return core::fail(ErrorCode::Io, "{}: cannot write: {}", temp, std::strerror(errno));
  }
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const int saved_errno = errno;
  const bool ok = written == bytes.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return core::fail(ErrorCode::Io, "{}: cannot write: {}", path,
                      std::strerror(ok ? errno : saved_errno));
  }
  return {};
}

}  // namespace bulwark::vulndb::update
