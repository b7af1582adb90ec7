#include "pipeline/detect.h"

#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "events/k8s_audit/file_source.h"

namespace bulwark::pipeline {

namespace {

constexpr std::string_view kK8sAuditFile = "k8s-audit:";

// The broken-down time of a second, UTC or local; alerts come in bursts from the same second,
// so the last answer is kept (per thread).
const std::tm& brokenDown(std::time_t seconds, bool local) {
  struct Cached {
    std::time_t seconds = -1;
    std::tm tm{};
  };
  thread_local Cached cache[2];
  Cached& cached = cache[local ? 1 : 0];
  if (cached.seconds != seconds) {
    cached.seconds = seconds;
    if (local) {
      localtime_r(&seconds, &cached.tm);
    } else {
      gmtime_r(&seconds, &cached.tm);
    }
  }
  return cached.tm;
}

std::string iso8601(std::int64_t ts_ns) {
  const std::tm& utc = brokenDown(static_cast<std::time_t>(ts_ns / 1'000'000'000), false);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     ts_ns % 1'000'000'000);
}

std::string clockTime(std::int64_t ts_ns) {
  const std::tm& local = brokenDown(static_cast<std::time_t>(ts_ns / 1'000'000'000), true);
  return fmt::format("{:02}:{:02}:{:02}.{:09}", local.tm_hour, local.tm_min, local.tm_sec,
                     ts_ns % 1'000'000'000);
}

// Falco's `output` text: time, priority, the rendered template.
std::string textLine(const Alert& alert, bool iso) {
  return fmt::format("{}: {} {}", iso ? iso8601(alert.ts_ns) : clockTime(alert.ts_ns),
                     rules::toString(alert.rule->item->priority), alert.output);
}

}  // namespace

std::unique_ptr<LoadedRules> loadRules(const std::vector<std::string>& paths,
                                       rules::Priority min_priority) {
  auto loaded = std::make_unique<LoadedRules>();
  for (const auto& path : paths) rules::loadRulesPath(path, loaded->source, loaded->result);
  auto compiled = rules::compileRules(loaded->source, loaded->result);
  loaded->ruleset = rules::Ruleset::build(compiled, min_priority, loaded->result);
  return loaded;
}

core::Status checkSource(const std::string& spec) {
  if (spec.starts_with(kK8sAuditFile) && spec.size() > kK8sAuditFile.size()) return {};
  return core::fail(core::ErrorCode::Usage,
                    "unknown event source '{}' (this build reads k8s-audit:FILE)", spec);
}

core::Result<DetectSummary> runDetect(const DetectOptions& options, const rules::Ruleset& ruleset,
                                      const std::function<void(const Alert&)>& on_alert) {
  DetectSummary summary;
  rules::EvalContext context;
  for (const auto& spec : options.sources) {
    if (auto ok = checkSource(spec); !ok) return tl::unexpected(ok.error());
    events::k8s_audit::FileSource source(spec.substr(kK8sAuditFile.size()));
    core::Diagnostics diagnostics;
    auto run = source.run(
        [&](const events::Event& event) {
          ++summary.events;
          ruleset.match(
              event, context, options.first_match,
              [&](const rules::Rule& rule) {
                Alert alert;
                alert.rule = &rule;
                alert.ts_ns = event.ts_ns;
                alert.output = rules::Ruleset::render(rule, context);
                if (options.output_fields) {
                  alert.fields = rules::Ruleset::outputFields(rule, context);
                }
                ++summary.alerts;
                ++summary.alerts_by_rule[rule.item->name];
                on_alert(alert);
              },
              options.use_index);
        },
        diagnostics);
    const auto found = diagnostics.sorted();
    summary.diagnostics.insert(summary.diagnostics.end(), found.begin(), found.end());
    if (!run) return tl::unexpected(run.error());
  }
  return summary;
}

std::string formatAlert(const Alert& alert, AlertFormat format, bool iso8601_time,
                        const std::string& hostname) {
  if (format == AlertFormat::Text) return textLine(alert, iso8601_time);
  nlohmann::ordered_json out;
  out["hostname"] = hostname;
  out["output"] = textLine(alert, iso8601_time);
  out["priority"] = rules::toString(alert.rule->item->priority);
  out["rule"] = alert.rule->item->name;
  out["source"] = alert.rule->item->source;
  out["tags"] = alert.rule->item->tags;
  out["time"] = iso8601(alert.ts_ns);
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  for (const auto& [name, value] : alert.fields) {
    fields[name] = value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
  }
  out["output_fields"] = std::move(fields);
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace bulwark::pipeline
