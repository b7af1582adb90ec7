#include "vulndb/update/download.h"

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "core/sha256.h"
#include "core/text.h"

namespace bulwark::vulndb::update {

using core::ErrorCode;

namespace {

constexpr std::size_t kMaxHeaderBytes = std::size_t{64} * 1024;
constexpr std::uint64_t kMaxZipMembers = std::uint64_t{10} * 1000 * 1000;
constexpr long kStallBytesPerSecond = 1024;

void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct MdDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

// The state one transfer's callbacks share.
struct Sink {
  CURL* curl = nullptr;
  int fd = -1;
  std::uint64_t max_bytes = 0;
  std::uint64_t written = 0;
  std::uint64_t discarded = 0;  // body bytes of a response that is not 200
  int write_errno = 0;
  bool over_limit = false;
  EVP_MD_CTX* md5 = nullptr;
  core::Sha256 sha256;
  std::map<std::string, std::string> headers;  // of the last response, names lower-case
  std::size_t header_bytes = 0;
  const DownloadProgress* progress = nullptr;
  std::uint64_t expected = 0;

  [[nodiscard]] long status() const {
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    return code;
  }
};

std::size_t onHeader(char* data, std::size_t /*one*/, std::size_t n, void* sink_ptr) {
  auto* sink = static_cast<Sink*>(sink_ptr);
  const std::string_view line(data, n);
  if (line.substr(0, 5) == "HTTP/") {  // a new response (after a redirect or 100-continue)
    sink->headers.clear();
    sink->header_bytes = 0;
    return n;
  }
  sink->header_bytes += n;
  if (sink->header_bytes > kMaxHeaderBytes) return n;  // keep the first 64 KiB
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  const std::string name = core::asciiLower(core::trim(line.substr(0, colon)));
  const std::string value(core::trim(line.substr(colon + 1)));
  auto& slot = sink->headers[name];
  slot = slot.empty() ? value : slot + ", " + value;
  if (name == "content-length") {
    sink->expected = core::parseUnsigned(value).value_or(0);
  }
  return n;
}

std::size_t onData(char* data, std::size_t /*one*/, std::size_t n, void* sink_ptr) {
  auto* sink = static_cast<Sink*>(sink_ptr);
  const long status = sink->status();
  if (status != 200) {
    // A redirect's or an error's body: not the feed. Bounded, then the transfer is cut.
    sink->discarded += n;
    return sink->discarded > kMaxHeaderBytes ? 0 : n;
  }
  if (sink->written + n > sink->max_bytes) {
    sink->over_limit = true;
    return 0;  // aborts the transfer
  }
  std::size_t done = 0;
  while (done < n) {
    const ssize_t w = ::write(sink->fd, data + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      sink->write_errno = w < 0 ? errno : EIO;
      return 0;
    }
    done += static_cast<std::size_t>(w);
  }
  EVP_DigestUpdate(sink->md5, data, n);
  sink->sha256.update(data, n);
  sink->written += n;
  if (sink->progress != nullptr && *sink->progress)
    (*sink->progress)(sink->written, sink->expected);
  return n;
}

std::string header(const Sink& sink, const std::string& name) {
  const auto it = sink.headers.find(name);
  return it == sink.headers.end() ? std::string() : it->second;
}

std::string base64Decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 1024) return {};
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return {};
  std::size_t length = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes.
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '=' && length > 0; --i) --length;
  out.resize(length);
  return out;
}

bool looksLikeZip(const std::string& path, const std::string& url) {
  char head[4] = {};
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    const ssize_t n = ::read(fd, head, sizeof head);
    ::close(fd);
    if (n == 4 && std::memcmp(head, "PK\x03\x04", 4) == 0) return true;
  }
  std::string_view clean = url;
  clean = clean.substr(0, clean.find_first_of("?#"));
  return clean.ends_with(".zip");
}

}  // namespace

std::string md5FromGoogHash(std::string_view value) {
  for (const auto part : core::split(value, ',')) {
    const std::string_view item = core::trim(part);
    if (item.substr(0, 4) == "md5=") {
      std::string raw = base64Decode(item.substr(4));
      return raw.size() == 16 ? raw : std::string();
    }
  }
  return {};
}

core::Status verifyZipArchive(const std::string& path) {
  std::unique_ptr<archive, ArchiveDeleter> reader(archive_read_new());
  if (!reader) return core::fail(ErrorCode::Internal, "libarchive: out of memory");
  archive_read_support_format_zip_seekable(reader.get());
  if (archive_read_open_filename(reader.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    const char* why = archive_error_string(reader.get());
    return core::fail(ErrorCode::Integrity, "not a readable zip archive: {}",
                      why != nullptr ? why : "?");
  }
  std::uint64_t members = 0;
  for (;;) {
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_EOF) break;
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
      const char* why = archive_error_string(reader.get());
      return core::fail(ErrorCode::Integrity, "zip archive broken after {} members: {}", members,
                        why != nullptr ? why : "?");
    }
    if (++members > kMaxZipMembers) {
      return core::fail(ErrorCode::Limit, "zip archive has more than {} members", kMaxZipMembers);
    }
  }
  return {};
}

core::Result<DownloadResult> download(const std::string& url, const std::string& destination,
                                      const Conditional& conditional,
                                      const DownloadOptions& options,
                                      const DownloadProgress& progress) {
  initCurlOnce();
  const std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  const std::unique_ptr<EVP_MD_CTX, MdDeleter> md5(EVP_MD_CTX_new());
  if (!curl || !md5 || EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr) != 1) {
    return core::fail(ErrorCode::Internal, "{}: cannot initialise libcurl or MD5", url);
  }
  const int fd = ::open(destination.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return core::fail(ErrorCode::Io, "{}: cannot create {}: {}", url, destination,
                      std::strerror(errno));
  }
  Sink sink;
  sink.curl = curl.get();
  sink.fd = fd;
  sink.max_bytes = options.max_bytes;
  sink.md5 = md5.get();
  sink.progress = &progress;

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&headers](const std::string& line) {
    curl_slist* list = curl_slist_append(headers.get(), line.c_str());
    if (list != nullptr) {
      (void)headers.release();
      headers.reset(list);
    }
  };
  // Validators come from our own state file; refuse anything that could split a header.
  auto clean = [](const std::string& value) {
    return !value.empty() && value.find_first_of("\r\n") == std::string::npos;
  };
  if (clean(conditional.etag)) add_header("If-None-Match: " + conditional.etag);
  if (clean(conditional.last_modified)) {
    add_header("If-Modified-Since: " + conditional.last_modified);
  }
  char error_buffer[CURL_ERROR_SIZE] = {};
  CURL* h = curl.get();
  const char* protocols = options.insecure ? "http,https" : "https";
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, options.max_redirects);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(options.total_timeout.count()));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, kStallBytesPerSecond);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.stall_timeout.count()));
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options.insecure ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options.insecure ? 0L : 2L);
  if (!options.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &onData);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  const CURLcode code = curl_easy_perform(h);
  const bool synced = ::fsync(fd) == 0 || sink.written == 0;
  const int sync_errno = errno;
  ::close(fd);

  DownloadResult result;
  result.status = sink.status();
  result.bytes = sink.written;
  if (char* effective = nullptr;
      curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective) {
    result.effective_url = effective;
  }
  if (sink.write_errno != 0) {
    return core::fail(ErrorCode::Io, "{}: cannot write {}: {}", url, destination,
                      std::strerror(sink.write_errno));
  }
  if (sink.over_limit || code == CURLE_FILESIZE_EXCEEDED) {
    return core::fail(ErrorCode::Limit, "{}: larger than the {} byte limit", url,
                      options.max_bytes);
  }
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && result.status != 200)) {
    return core::fail(ErrorCode::Network, "{}: {}", url,
                      error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code));
  }
  if (result.status == 304) {
    if (conditional.etag.empty() && conditional.last_modified.empty()) {
      return core::fail(ErrorCode::Network, "{}: HTTP 304 to an unconditional request", url);
    }
    result.not_modified = true;
    result.etag = header(sink, "etag");
    result.last_modified = header(sink, "last-modified");
    if (result.etag.empty()) result.etag = conditional.etag;
    if (result.last_modified.empty()) result.last_modified = conditional.last_modified;
    return result;
  }
  if (result.status != 200) {
    return core::fail(ErrorCode::Network, "{}: HTTP {}", url, result.status);
  }
  if (!synced) {
    return core::fail(ErrorCode::Io, "{}: cannot write {}: {}", url, destination,
                      std::strerror(sync_errno));
  }
  curl_off_t length = -1;
  curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  if (length >= 0 && static_cast<std::uint64_t>(length) != sink.written) {
    return core::fail(ErrorCode::Integrity, "{}: received {} bytes, Content-Length says {}", url,
                      sink.written, static_cast<std::uint64_t>(length));
  }
  if (const std::string expected_md5 = md5FromGoogHash(header(sink, "x-goog-hash"));
      !expected_md5.empty()) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    EVP_DigestFinal_ex(md5.get(), digest, &digest_length);
    if (std::string_view(reinterpret_cast<const char*>(digest), digest_length) != expected_md5) {
      return core::fail(ErrorCode::Integrity,
                        "{}: MD5 of the {} bytes received does not match "
                        "x-goog-hash",
                        url, sink.written);
    }
    result.md5_checked = true;
  }
  if (looksLikeZip(destination, url)) {
    if (auto ok = verifyZipArchive(destination); !ok) return core::withContext(ok.error(), url);
  }
  result.sha256 = sink.sha256.hexDigest();
  result.etag = header(sink, "etag");
  result.last_modified = header(sink, "last-modified");
  if (result.etag.size() > 1024) result.etag.clear();
  if (result.last_modified.size() > 1024) result.last_modified.clear();
  return result;
}

}  // namespace bulwark::vulndb::update
