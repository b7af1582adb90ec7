#include "server/posture_query.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <stdexcept>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/utf8.h"
#include "posture/resource_key.h"
#include "server/alert_ndjson.h"
#include "server/api_bodies.h"
#include "server/query.h"

namespace bulwark::server {
namespace {

using Json = nlohmann::json;

constexpr store::Millis kDefaultScoreWindowMs = std::int64_t{30} * 24 * 3600 * 1000;
constexpr std::size_t kMaxCommentBytes = 1000;
constexpr std::size_t kMaxBodyTextBytes = 4096;
constexpr std::size_t kMaxLabelFilters = 16;

core::Error bad(std::string message) { return {core::ErrorCode::Input, std::move(message)}; }

// The single value of a parameter: nullopt when absent, an error when given twice.
core::Result<std::optional<std::string>> single(const QueryParams& params,
                                                const std::string& name) {
  const auto [first, last] = params.equal_range(name);
  if (first == last) return std::optional<std::string>();
  if (std::next(first) != last) {
    return tl::unexpected(bad(fmt::format("query parameter '{}' is given more than once", name)));
  }
  return std::optional<std::string>(first->second);
}

// A text filter ("" when absent).
core::Result<std::string> text(const QueryParams& params, const std::string& name) {
  auto value = single(params, name);
  if (!value) return tl::unexpected(value.error());
  if (!*value) return std::string();
  if (!validQueryText(**value)) return tl::unexpected(bad(textQueryMessage(name)));
  return std::move(**value);
}

// One of `allowed` ("" when absent).
core::Result<std::string> choice(const QueryParams& params, const std::string& name,
                                 std::initializer_list<std::string_view> allowed) {
  auto value = single(params, name);
  if (!value) return tl::unexpected(value.error());
  if (!*value) return std::string();
  for (auto name_allowed : allowed) {
    if (**value == name_allowed) return std::move(**value);
  }
  return tl::unexpected(
      bad(fmt::format("query parameter '{}' must be one of: {}", name, fmt::join(allowed, ", "))));
}

core::Result<std::optional<std::int64_t>> integer(const QueryParams& params,
                                                  const std::string& name, std::int64_t min,
                                                  std::int64_t max) {
  auto value = single(params, name);
  if (!value) return tl::unexpected(value.error());
  if (!*value) return std::optional<std::int64_t>();
  auto number = parseQueryInt(**value, min, max);
  if (!number) return tl::unexpected(bad(intQueryMessage(name, min, max)));
  return std::optional<std::int64_t>(*number);
}

core::Result<std::optional<store::Millis>> time(const QueryParams& params, const std::string& name,
                                                store::Millis now) {
  auto value = single(params, name);
  if (!value) return tl::unexpected(value.error());
  if (!*value) return std::optional<store::Millis>();
  auto at = parseQueryTime(**value, now);
  if (!at) return tl::unexpected(bad(timeQueryMessage(name)));
  return std::optional<store::Millis>(*at);
}

// A resource id ("" when absent).
core::Result<std::string> resourceIdParam(const QueryParams& params, const std::string& name) {
  auto value = single(params, name);
  if (!value) return tl::unexpected(value.error());
  if (!*value) return std::string();
  if (!posture::isResourceId(**value)) {
    return tl::unexpected(
        bad(fmt::format("query parameter '{}' must be a resource id (16 lower-case hex)", name)));
  }
  return std::move(**value);
}

core::Result<std::string> catalogueIdParam(const QueryParams& params, const std::string& name) {
  auto value = single(params, name);
  if (!value) return tl::unexpected(value.error());
  if (!*value) return std::string();
  if (!validCatalogueId(**value)) {
    return tl::unexpected(bad(fmt::format(
        "query parameter '{}' must be a catalogue id such as BW-REC-010 or CTL-PRIV", name)));
  }
  return std::move(**value);
}

constexpr std::array kHealthNames = {"unhealthy", "healthy", "not-evaluated", "not-applicable"};

core::Result<std::optional<model::Health>> healthParam(const QueryParams& params,
                                                       const std::string& name) {
  auto value =
      choice(params, name, {kHealthNames[0], kHealthNames[1], kHealthNames[2], kHealthNames[3]});
  if (!value) return tl::unexpected(value.error());
  if (value->empty()) return std::optional<model::Health>();
  return model::parseHealth(*value);
}

core::Result<std::optional<bool>> boolParam(const QueryParams& params, const std::string& name) {
  auto value = choice(params, name, {"true", "false"});
  if (!value) return tl::unexpected(value.error());
  if (value->empty()) return std::optional<bool>();
  return std::optional<bool>(*value == "true");
}

// A comma list of resource types, each once (empty when absent).
core::Result<std::vector<model::ResourceType>> typesParam(const QueryParams& params,
                                                          const std::string& name) {
  auto types = text(params, name);
  if (!types) return tl::unexpected(types.error());
  std::vector<model::ResourceType> out;
  std::string_view rest = *types;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    auto type = model::parseResourceType(rest.substr(0, comma));
    if (!type) {
      return tl::unexpected(bad(fmt::format(
          "query parameter '{}' must be a comma list of: registry, repository, image, host, "
          "container, cluster, node, namespace, workload, k8s-object",
          name)));
    }
    if (std::find(out.begin(), out.end(), *type) == out.end()) out.push_back(*type);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
    if (rest.empty()) {
      return tl::unexpected(bad(fmt::format("query parameter '{}' ends with a comma", name)));
    }
  }
  return out;
}

// `label=key=value`, repeatable (every one must match): at most kMaxLabelFilters, each a
// non-empty key, '=', a value that may be empty, as UTF-8 text of at most kMaxQueryBytes.
core::Result<std::map<std::string, std::string>> labelParams(const QueryParams& params) {
  std::map<std::string, std::string> out;
  const auto [first, last] = params.equal_range("label");
  if (std::distance(first, last) > static_cast<std::ptrdiff_t>(kMaxLabelFilters)) {
    return tl::unexpected(
        bad(fmt::format("query parameter 'label' is given more than {} times", kMaxLabelFilters)));
  }
  for (auto it = first; it != last; ++it) {
    const std::string& text = it->second;
    const auto equals = text.find('=');
    if (equals == std::string::npos || equals == 0 || !validQueryText(text)) {
      return tl::unexpected(
          bad(fmt::format("query parameter 'label' must be key=value (a non-empty key; UTF-8, at "
                          "most {} bytes, no NUL)",
                          kMaxQueryBytes)));
    }
    std::string key = text.substr(0, equals);
    std::string value = text.substr(equals + 1);
    const auto [at, added] = out.emplace(key, value);
    if (!added && at->second != value) {
      return tl::unexpected(bad(fmt::format("query parameter 'label' gives the key '{}' two values",
                                            core::printable(key))));
    }
  }
  return out;
}

core::Status page(const QueryParams& params, std::int64_t& limit, std::int64_t& offset) {
  auto parsed_limit = integer(params, "limit", 1, kMaxLimit);
  if (!parsed_limit) return tl::unexpected(parsed_limit.error());
  auto parsed_offset = integer(params, "offset", 0, kMaxOffset);
  if (!parsed_offset) return tl::unexpected(parsed_offset.error());
  limit = parsed_limit->value_or(kDefaultLimit);
  offset = parsed_offset->value_or(0);
  return {};
}

// Takes the value of `field` when the body's object has it: a string or nothing.
core::Status bodyString(const Json& object, const char* field, std::string& out, bool required) {
  const auto it = object.find(field);
  if (it == object.end() || it->is_null()) {
    if (required) return tl::unexpected(bad(fmt::format("'{}' is required", field)));
    return {};
  }
  if (!it->is_string()) return tl::unexpected(bad(fmt::format("'{}' must be a string", field)));
  out = it->get<std::string>();
  if (out.size() > kMaxBodyTextBytes) {
    return tl::unexpected(
        bad(fmt::format("'{}' is longer than {} bytes", field, kMaxBodyTextBytes)));
  }
  return {};
}

// A JSON object, or an Input error; nesting deeper than kMaxJsonDepth is refused while parsing
// (the parser recurses) with the same callback as api_bodies.cpp.
core::Result<Json> parseObject(std::string_view body) {
  if (body.size() > kMaxBodyTextBytes * 4) return tl::unexpected(bad("the body is too large"));
  Json value;
  try {
    value = Json::parse(
        body.begin(), body.end(),
        [](int depth, Json::parse_event_t, Json&) {
          if (depth > kMaxJsonDepth) throw std::length_error("nesting too deep");
          return true;
        },
        false);
  } catch (const std::exception&) {
    return tl::unexpected(bad(fmt::format("the body nests deeper than {} levels", kMaxJsonDepth)));
  }
  if (value.is_discarded()) return tl::unexpected(bad("the body is not JSON"));
  if (!value.is_object()) return tl::unexpected(bad("the body is not an object"));
  return value;
}

}  // namespace

std::string_view severityText(model::Severity severity) {
  switch (severity) {
    case model::Severity::Critical: return "critical";
    case model::Severity::High: return "high";
    case model::Severity::Medium: return "medium";
    case model::Severity::Low: return "low";
    case model::Severity::Negligible: return "negligible";
    case model::Severity::Unknown: return "unknown";
  }
  return "unknown";
}

std::optional<model::Severity> parseSeverityText(std::string_view text) {
  for (auto severity :
       {model::Severity::Critical, model::Severity::High, model::Severity::Medium,
        model::Severity::Low, model::Severity::Negligible, model::Severity::Unknown}) {
    if (text == severityText(severity)) return severity;
  }
  return std::nullopt;
}

bool validCatalogueId(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

core::Result<store::ResourceQuery> parseResourceQuery(const QueryParams& params) {
  store::ResourceQuery query;
  auto types = typesParam(params, "type");
  if (!types) return tl::unexpected(types.error());
  query.types = std::move(*types);
  auto parent = resourceIdParam(params, "parent");
  if (!parent) return tl::unexpected(parent.error());
  if (!parent->empty()) query.parent_id = *parent;
  auto scope = resourceIdParam(params, "scope");
  if (!scope) return tl::unexpected(scope.error());
  query.scope_id = *scope;
  auto health = healthParam(params, "health");
  if (!health) return tl::unexpected(health.error());
  query.health = *health;
  auto search = text(params, "q");
  if (!search) return tl::unexpected(search.error());
  query.search = *search;
  auto labels = labelParams(params);
  if (!labels) return tl::unexpected(labels.error());
  query.labels = std::move(*labels);
  auto gone = boolParam(params, "include_gone");
  if (!gone) return tl::unexpected(gone.error());
  query.include_gone = gone->value_or(false);
  auto sort = choice(params, "sort", {"name", "health", "last_seen", "unhealthy"});
  if (!sort) return tl::unexpected(sort.error());
  if (!sort->empty()) query.sort = *sort;
  if (auto paged = page(params, query.limit, query.offset); !paged) {
    return tl::unexpected(paged.error());
  }
  return query;
}

core::Result<store::AssessmentQuery> parseAssessmentQuery(const QueryParams& params) {
  store::AssessmentQuery query;
  auto recommendation = catalogueIdParam(params, "recommendation");
  if (!recommendation) return tl::unexpected(recommendation.error());
  query.recommendation = *recommendation;
  auto status = healthParam(params, "status");
  if (!status) return tl::unexpected(status.error());
  query.status = *status;
  auto kind = choice(params, "kind", {"check", "rule", "derived"});
  if (!kind) return tl::unexpected(kind.error());
  if (*kind == "check") query.kind = model::SourceKind::Check;
  if (*kind == "rule") query.kind = model::SourceKind::Rule;
  if (*kind == "derived") query.kind = model::SourceKind::Derived;
  if (auto paged = page(params, query.limit, query.offset); !paged) {
    return tl::unexpected(paged.error());
  }
  return query;
}

core::Result<store::AssessmentQuery> parseAffectedQuery(const QueryParams& params) {
  store::AssessmentQuery query;
  auto status = healthParam(params, "status");
  if (!status) return tl::unexpected(status.error());
  query.status = *status;
  auto scope = resourceIdParam(params, "scope");
  if (!scope) return tl::unexpected(scope.error());
  query.scope_id = *scope;
  auto exempt = boolParam(params, "exempt");
  if (!exempt) return tl::unexpected(exempt.error());
  query.exempt = *exempt;
  auto types = typesParam(params, "type");
  if (!types) return tl::unexpected(types.error());
  query.resource_types = std::move(*types);
  auto search = text(params, "q");
  if (!search) return tl::unexpected(search.error());
  query.search = *search;
  auto sort = choice(params, "sort", {"severity", "name", "since"});
  if (!sort) return tl::unexpected(sort.error());
  auto order = choice(params, "order", {"asc", "desc"});
  if (!order) return tl::unexpected(order.error());
  if (!sort->empty()) query.sort = *sort;
  // Each sort's natural order: the worst and the newest first, names A to Z; without a sort,
  // by resource id (order turns it around).
  const bool natural_descending = query.sort == "severity" || query.sort == "since";
  query.descending = order->empty() ? natural_descending : *order == "desc";
  if (auto paged = page(params, query.limit, query.offset); !paged) {
    return tl::unexpected(paged.error());
  }
  return query;
}

core::Result<store::ExemptionQuery> parseExemptionQuery(const QueryParams& params,
                                                        store::Millis now) {
  store::ExemptionQuery query;
  auto recommendation = catalogueIdParam(params, "recommendation");
  if (!recommendation) return tl::unexpected(recommendation.error());
  query.recommendation = *recommendation;
  auto scope = resourceIdParam(params, "scope");
  if (!scope) return tl::unexpected(scope.error());
  query.scope_id = *scope;
  auto active = choice(params, "active", {"true", "false", "all"});
  if (!active) return tl::unexpected(active.error());
  if (*active == "true") query.active_at = now;
  if (*active == "false") query.inactive_at = now;
  if (auto paged = page(params, query.limit, query.offset); !paged) {
    return tl::unexpected(paged.error());
  }
  return query;
}

core::Result<store::PostureRunQuery> parseRunQuery(const QueryParams& params) {
  store::PostureRunQuery query;
  auto target = text(params, "target");
  if (!target) return tl::unexpected(target.error());
  query.target_key = *target;
  auto kind = choice(params, "kind", {"docker", "k8s", "node", "sync"});
  if (!kind) return tl::unexpected(kind.error());
  query.kind = *kind;
  if (auto paged = page(params, query.limit, query.offset); !paged) {
    return tl::unexpected(paged.error());
  }
  return query;
}

core::Result<store::Store::CrossFindingQuery> parseFindingQuery(const QueryParams& params) {
  store::Store::CrossFindingQuery query;
  auto registry = text(params, "registry");
  if (!registry) return tl::unexpected(registry.error());
  query.registry = *registry;
  auto repository = text(params, "repository");
  if (!repository) return tl::unexpected(repository.error());
  query.repository = *repository;
  auto severity =
      choice(params, "severity", {"critical", "high", "medium", "low", "negligible", "unknown"});
  if (!severity) return tl::unexpected(severity.error());
  if (!severity->empty()) query.min_severity = parseSeverityText(*severity);
  auto fixable = boolParam(params, "fixable");
  if (!fixable) return tl::unexpected(fixable.error());
  query.fixable_only = fixable->value_or(false);
  auto search = text(params, "q");
  if (!search) return tl::unexpected(search.error());
  query.search = *search;
  auto vulnerability = text(params, "vulnerability");
  if (!vulnerability) return tl::unexpected(vulnerability.error());
  query.vulnerability = *vulnerability;
  auto sort = choice(params, "sort", {"severity", "id", "package", "first_seen", "images"});
  if (!sort) return tl::unexpected(sort.error());
  if (!sort->empty()) query.sort = *sort;
  if (auto paged = page(params, query.limit, query.offset); !paged) {
    return tl::unexpected(paged.error());
  }
  return query;
}

core::Result<RecommendationQuery> parseRecommendationQuery(const QueryParams& params) {
  RecommendationQuery query;
  auto control = catalogueIdParam(params, "control");
  if (!control) return tl::unexpected(control.error());
  query.control = *control;
  auto severity = choice(params, "severity", {"critical", "high", "medium", "low"});
  if (!severity) return tl::unexpected(severity.error());
  if (!severity->empty()) query.severity = parseSeverityText(*severity);
  auto type = choice(params, "resource_type",
                     {"registry", "repository", "image", "host", "container", "cluster", "node",
                      "namespace", "workload", "k8s-object"});
  if (!type) return tl::unexpected(type.error());
  if (!type->empty()) query.resource_type = model::parseResourceType(*type);
  auto state = choice(params, "state", {"unhealthy", "healthy", "all"});
  if (!state) return tl::unexpected(state.error());
  if (!state->empty()) query.state = *state;
  auto search = text(params, "q");
  if (!search) return tl::unexpected(search.error());
  query.search = *search;
  auto sort = choice(params, "sort", {"potential", "severity", "unhealthy", "title"});
  if (!sort) return tl::unexpected(sort.error());
  if (!sort->empty()) query.sort = *sort;
  auto order = choice(params, "order", {"asc", "desc"});
  if (!order) return tl::unexpected(order.error());
  // Each sort's natural order: the most to fix first, titles A to Z.
  query.descending = order->empty() ? query.sort != "title" : *order == "desc";
  if (auto paged = page(params, query.limit, query.offset); !paged) {
    return tl::unexpected(paged.error());
  }
  return query;
}

core::Result<ScoreHistoryQuery> parseScoreHistoryQuery(const QueryParams& params,
                                                       store::Millis now) {
  ScoreHistoryQuery query;
  auto since = time(params, "since", now);
  if (!since) return tl::unexpected(since.error());
  auto until = time(params, "until", now);
  if (!until) return tl::unexpected(until.error());
  query.until = until->value_or(now + 1);
  query.since = since->value_or(query.until - kDefaultScoreWindowMs);
  if (query.since >= query.until) {
    return tl::unexpected(bad("query parameter 'since' must be before 'until'"));
  }
  auto control = single(params, "control");
  if (!control) return tl::unexpected(control.error());
  if (*control) {
    if (**control == "total") {
      query.control = std::string();
    } else if (validCatalogueId(**control)) {
      query.control = **control;
    } else {
      return tl::unexpected(
          bad("query parameter 'control' must be a control id such as CTL-PRIV, or total"));
    }
  }
  auto bucket = choice(params, "bucket", {"hour", "day"});
  if (!bucket) return tl::unexpected(bucket.error());
  query.bucket = *bucket;
  return query;
}

core::Result<ChangeHistoryQuery> parseChangeHistoryQuery(const QueryParams& params,
                                                         store::Millis now) {
  ChangeHistoryQuery query;
  auto since = time(params, "since", now);
  if (!since) return tl::unexpected(since.error());
  query.since = since->value_or(0);
  auto limit = integer(params, "limit", 1, kMaxLimit);
  if (!limit) return tl::unexpected(limit.error());
  query.limit = limit->value_or(kDefaultLimit);
  return query;
}

core::Status parseAlertTriageFilters(const QueryParams& params, store::AlertQuery& query) {
  auto status = choice(params, "status", {"new", "active", "dismissed", "resolved"});
  if (!status) return tl::unexpected(status.error());
  if (!status->empty()) query.status = model::parseAlertStatus(*status);
  auto resource = resourceIdParam(params, "resource");
  if (!resource) return tl::unexpected(resource.error());
  query.resource_id = *resource;
  return {};
}

core::Result<model::Exemption> parseExemptionBody(std::string_view body) {
  auto json = parseObject(body);
  if (!json) return tl::unexpected(json.error());
  model::Exemption exemption;
  std::string category;
  for (auto [field, out, required] :
       {std::tuple{"recommendation", &exemption.recommendation, true},
        std::tuple{"scope", &exemption.scope_id, true},
        std::tuple{"source", &exemption.source, false}, std::tuple{"category", &category, false},
        std::tuple{"reason", &exemption.reason, true}}) {
    if (auto taken = bodyString(*json, field, *out, required); !taken) {
      return tl::unexpected(taken.error());
    }
  }
  if (!category.empty()) {
    auto parsed = model::parseExemptionCategory(category);
    if (!parsed) {
      return tl::unexpected(
          bad("'category' must be one of: mitigated, risk-accepted, false-positive"));
    }
    exemption.category = *parsed;
  }
  const auto expires = json->find("expires_at");
  if (expires == json->end() || expires->is_null()) {
    return tl::unexpected(bad("'expires_at' is required"));
  }
  if (expires->is_number_integer()) {
    exemption.expires_at = expires->get<std::int64_t>();
  } else if (expires->is_string() && expires->get_ref<const std::string&>().size() <= 64) {
    auto at = parseRfc3339Millis(expires->get<std::string>());
    if (!at) return tl::unexpected(bad("'expires_at' must be Unix ms or an RFC 3339 time"));
    exemption.expires_at = *at;
  } else {
    return tl::unexpected(bad("'expires_at' must be Unix ms or an RFC 3339 time"));
  }
  return exemption;
}

core::Result<AlertStatusBody> parseAlertStatusBody(std::string_view body) {
  auto json = parseObject(body);
  if (!json) return tl::unexpected(json.error());
  AlertStatusBody out;
  std::string status;
  if (auto taken = bodyString(*json, "status", status, true); !taken) {
    return tl::unexpected(taken.error());
  }
  auto parsed = model::parseAlertStatus(status);
  if (!parsed) {
    return tl::unexpected(bad("'status' must be one of: new, active, dismissed, resolved"));
  }
  out.status = *parsed;
  if (auto taken = bodyString(*json, "comment", out.comment, false); !taken) {
    return tl::unexpected(taken.error());
  }
  if (out.comment.size() > kMaxCommentBytes) {
    return tl::unexpected(bad(fmt::format("'comment' is longer than {} bytes", kMaxCommentBytes)));
  }
  if (!core::plainText(out.comment)) {
    return tl::unexpected(
        bad("'comment' holds a control character (only tab and newline are allowed)"));
  }
  return out;
}

}  // namespace bulwark::server
