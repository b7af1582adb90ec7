#include "pipeline/posture/post_snapshot.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text.h"

namespace bulwark::pipeline {
namespace {

constexpr long kConnectTimeoutMs = 10000;
constexpr std::size_t kMaxAnswerBytes = std::size_t{1} << 20;

std::size_t collect(char* data, std::size_t size, std::size_t count, void* out) {
  auto* answer = static_cast<std::string*>(out);
  const std::size_t bytes = size * count;
  if (answer->size() + bytes > kMaxAnswerBytes) return 0;  // ends the transfer
  answer->append(data, bytes);
  return bytes;
}

}  // namespace

std::string queryValue(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

core::Result<PostedSnapshot> postSnapshot(const PostSnapshotOptions& options,
                                          std::string_view body) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::string server = options.server;
  while (!server.empty() && server.back() == '/') server.pop_back();
  if (!server.starts_with("http://") && !server.starts_with("https://")) {
    return core::fail(core::ErrorCode::Usage, "--post {}: an http:// or https:// URL",
                      core::printable(options.server));
  }
  std::string url = server + "/api/v1/posture/snapshots";
  if (!options.cluster.empty()) url += "?cluster=" + queryValue(options.cluster);

  const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle(curl_easy_init(),
                                                                   &curl_easy_cleanup);
  if (!handle) return core::fail(core::ErrorCode::Internal, "libcurl: no handle");
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  if (!options.token.empty()) {
    headers = curl_slist_append(headers, ("Authorization: Bearer " + options.token).c_str());
  }
  const std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(
      headers, &curl_slist_free_all);
  std::string answer;
  const std::string agent = "bulwark/" + options.version;
  CURL* curl = handle.get();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca.c_str());
  curl_easy_setopt(curl, CURLOPT_USERAGENT, agent.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  if (const CURLcode rc = curl_easy_perform(curl); rc != CURLE_OK) {
    return core::fail(core::ErrorCode::Network, "POST {}: {}", server, curl_easy_strerror(rc));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  const nlohmann::json json = nlohmann::json::parse(answer, nullptr, false);
  if (status != 202) {
    std::string message = fmt::format("HTTP {}", status);
    if (json.is_object() && json.contains("error") && json["error"].is_object()) {
      message += ": " + json["error"].value("message", std::string());
    }
    const core::ErrorCode code = status == 401 || status == 403  ? core::ErrorCode::Auth
                                 : status >= 400 && status < 500 ? core::ErrorCode::Input
                                                                 : core::ErrorCode::Network;
    return core::fail(code, "POST {}: {}", server, core::printable(message));
  }
  PostedSnapshot out;
  try {
    const nlohmann::json& job = json.at("job");
    out.job_id = job.at("id").get<std::int64_t>();
    out.state = job.at("state").get<std::string>();
    out.created = json.at("created").get<bool>();
    out.target = json.at("target").get<std::string>();
  } catch (const nlohmann::json::exception&) {
    return core::fail(core::ErrorCode::Network, "POST {}: the answer is not a job", server);
  }
  return out;
}

}  // namespace bulwark::pipeline
