// One feed download over HTTP(S) with libcurl: a conditional GET (If-None-Match /
// If-Modified-Since) streamed to a file, with the checks that decide whether the bytes may be
// imported: a 200 status, the Content-Length received in full, the size cap, the MD5 the
// server states in `x-goog-hash` (Google Cloud Storage sends it), and for a zip archive that it
// opens and lists. Proxy variables (https_proxy, no_proxy, ...) are honoured by libcurl.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace bulwark::vulndb::update {

struct DownloadOptions {
  std::string ca_file;    // extra CA bundle (PEM); default: the system's
  bool insecure = false;  // allow plain http and unverified TLS (tests, trusted mirrors)
  std::chrono::seconds connect_timeout{30};
  std::chrono::seconds stall_timeout{60};    // give up when under 1 KiB/s for this long
  std::chrono::seconds total_timeout{3600};  // one feed, start to end
  std::uint64_t max_bytes = std::uint64_t{1} << 30;
  long max_redirects = 5;
  std::string user_agent = "bulwark-db-update";
};

// Validators from the previous download of the same URL (empty: unconditional request).
struct Conditional {
  std::string etag;
  std::string last_modified;
};

struct DownloadResult {
  bool not_modified = false;  // 304: the file was not written
  long status = 0;
  std::uint64_t bytes = 0;
  std::string etag;
  std::string last_modified;
  std::string effective_url;  // after redirects
  bool md5_checked = false;   // the server stated an MD5 and it matched
  std::string sha256;         // lower-case hex of the body (200 only)
};

// Called with (bytes received, bytes expected or 0) while the body arrives.
using DownloadProgress = std::function<void(std::uint64_t, std::uint64_t)>;

// GETs `url` into `destination` (created or truncated). Errors name the URL: Network
// (unreachable, timeout, broken transfer, unexpected status), Integrity (length or MD5
// mismatch, an archive that does not open), Limit (larger than max_bytes), Io (the file could
// not be written, e.g. a full disk). On error the destination may hold partial bytes.
core::Result<DownloadResult> download(const std::string& url, const std::string& destination,
                                      const Conditional& conditional,
                                      const DownloadOptions& options,
                                      const DownloadProgress& progress = {});

// The MD5 (raw 16 bytes) stated in an x-goog-hash header value ("crc32c=…, md5=…"), or empty.
std::string md5FromGoogHash(std::string_view header);

// Opens a zip archive and lists every member (central directory and local headers).
core::Status verifyZipArchive(const std::string& path);

}  // namespace bulwark::vulndb::update
