// The query strings and bodies of the posture routes (src/server/posture_query.cpp): untrusted
// bytes from any client with a reader token. The input's first line is a query string
// ("type=host,image&limit=5", split on '&' and the first '='), the rest a request body. None may
// crash or hang; what is accepted must be within the documented bounds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "posture/resource_key.h"
#include "server/posture_query.h"
#include "server/query.h"

namespace {

bulwark::server::QueryParams splitQuery(std::string_view text) {
  bulwark::server::QueryParams params;
  while (!text.empty()) {
    const auto amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    const auto eq = pair.find('=');
    params.emplace(std::string(pair.substr(0, eq)),
                   eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp + 1);
  }
  return params;
}

bool pageOk(std::int64_t limit, std::int64_t offset) {
  return limit >= 1 && limit <= bulwark::server::kMaxLimit && offset >= 0 &&
         offset <= bulwark::server::kMaxOffset;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulwark::server;  // NOLINT(google-build-using-namespace): the target's subject
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string_view query = input.substr(0, newline);
  const std::string_view body =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  const QueryParams params = splitQuery(query);
  constexpr bulwark::store::Millis kNow = 1700000000000;

  if (auto parsed = parseResourceQuery(params)) {
    if (!pageOk(parsed->limit, parsed->offset) || parsed->search.size() > kMaxQueryBytes) {
      __builtin_trap();
    }
    if (parsed->parent_id && !bulwark::posture::isResourceId(*parsed->parent_id)) __builtin_trap();
    if (parsed->labels.size() > 16) __builtin_trap();
    for (const auto& [key, value] : parsed->labels) {
      if (key.empty() || key.find('=') != std::string::npos ||
          key.find('\0') != std::string::npos || key.size() + value.size() >= kMaxQueryBytes) {
        __builtin_trap();
      }
    }
  }
  if (auto parsed = parseAssessmentQuery(params);
      parsed && !pageOk(parsed->limit, parsed->offset)) {
    __builtin_trap();
  }
  if (auto parsed = parseAffectedQuery(params)) {
    if (!pageOk(parsed->limit, parsed->offset) || parsed->search.size() > kMaxQueryBytes) {
      __builtin_trap();
    }
    if (parsed->sort != "resource" && parsed->sort != "severity" && parsed->sort != "name" &&
        parsed->sort != "since") {
      __builtin_trap();
    }
  }
  if (auto parsed = parseFindingQuery(params)) {
    if (!pageOk(parsed->limit, parsed->offset) || parsed->search.size() > kMaxQueryBytes) {
      __builtin_trap();
    }
  }
  (void)parseExemptionQuery(params, kNow);
  (void)parseRunQuery(params);
  if (auto parsed = parseRecommendationQuery(params)) {
    if (!pageOk(parsed->limit, parsed->offset)) __builtin_trap();
  }
  if (auto parsed = parseScoreHistoryQuery(params, kNow);
      parsed && parsed->since >= parsed->until) {
    __builtin_trap();
  }
  (void)parseChangeHistoryQuery(params, kNow);
  bulwark::store::AlertQuery alerts;
  (void)parseAlertTriageFilters(params, alerts);
  (void)parseExemptionBody(body);
  if (auto parsed = parseAlertStatusBody(body);
      parsed &&
      (parsed->comment.size() > 1000 || parsed->comment.find('\0') != std::string::npos)) {
    __builtin_trap();
  }
  (void)parseQueryTime(query, kNow);
  return 0;
}
