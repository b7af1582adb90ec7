// The backend-agnostic part of the store: names of the enums, severity counts, the finding
// diff both backends record, the default path, URL redaction and the dispatch by URL.
#include "store/store.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <set>
#include <tuple>

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace bulwark::store {

using core::ErrorCode;

Millis nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view toString(Role role) {
  switch (role) {
    case Role::Admin: return "admin";
    case Role::Reader: return "reader";
    case Role::Ingest: return "ingest";
  }
  return "reader";
}

core::Result<Role> parseRole(std::string_view text) {
  for (Role role : {Role::Admin, Role::Reader, Role::Ingest}) {
    if (text == toString(role)) return role;
  }
  return core::fail(ErrorCode::Input, "unknown role '{}' (admin, reader, ingest)", text);
}

std::string_view toString(JobKind kind) {
  switch (kind) {
    case JobKind::Scan: return "scan";
    case JobKind::Promote: return "promote";
    case JobKind::Bench: return "bench";
  }
  return "scan";
}

std::string_view toString(JobState state) {
  switch (state) {
    case JobState::Queued: return "queued";
    case JobState::Running: return "running";
    case JobState::Done: return "done";
    case JobState::Failed: return "failed";
    case JobState::Dead: return "dead";
  }
  return "queued";
}

core::Result<JobKind> parseJobKind(std::string_view text) {
  for (JobKind kind : {JobKind::Scan, JobKind::Promote, JobKind::Bench}) {
    if (text == toString(kind)) return kind;
  }
  return core::fail(ErrorCode::Input, "unknown job kind '{}' (scan, promote, bench)", text);
}

core::Result<JobState> parseJobState(std::string_view text) {
  for (JobState state :
       {JobState::Queued, JobState::Running, JobState::Done, JobState::Failed, JobState::Dead}) {
    if (text == toString(state)) return state;
  }
  return core::fail(ErrorCode::Input,
                    "unknown job state '{}' (queued, running, done, failed, dead)", text);
}

std::string_view toString(FindingChangeKind kind) {
  return kind == FindingChangeKind::New ? "new" : "resolved";
}

void SeverityCounts::add(model::Severity severity, std::int64_t n) {
  switch (severity) {
    case model::Severity::Critical: critical += n; break;
    case model::Severity::High: high += n; break;
    case model::Severity::Medium: medium += n; break;
    case model::Severity::Low: low += n; break;
    case model::Severity::Negligible: negligible += n; break;
    case model::Severity::Unknown: unknown += n; break;
  }
}

namespace {

using Identity = std::tuple<std::string_view, std::string_view, std::string_view>;

Identity identityOf(const FindingRecord& finding) {
  return {finding.vulnerability_id, finding.package_name, finding.installed_version};
}

// The findings of `from` whose identity is not in `other`, once each, as changes of `kind`.
void appendMissing(std::string_view digest, const std::vector<FindingRecord>& from,
                   const std::vector<FindingRecord>& other, FindingChangeKind kind,
                   std::string_view db_build_id, Millis at, std::vector<FindingChange>& out) {
  std::set<Identity> present;
  for (const FindingRecord& finding : other) present.insert(identityOf(finding));
  std::set<Identity> emitted;
  for (const FindingRecord& finding : from) {
    const Identity identity = identityOf(finding);
    if (present.count(identity) != 0 || !emitted.insert(identity).second) continue;
    FindingChange change;
    change.digest = std::string(digest);
    change.kind = kind;
    change.vulnerability_id = finding.vulnerability_id;
    change.package_name = finding.package_name;
    change.installed_version = finding.installed_version;
    change.severity = finding.severity;
    change.db_build_id = std::string(db_build_id);
    change.at = at;
    out.push_back(std::move(change));
  }
}

}  // namespace

std::vector<FindingChange> diffFindings(std::string_view digest,
                                        const std::vector<FindingRecord>& before,
                                        const std::vector<FindingRecord>& after,
                                        std::string_view db_build_id, Millis at) {
  std::vector<FindingChange> changes;
  appendMissing(digest, after, before, FindingChangeKind::New, db_build_id, at, changes);
  appendMissing(digest, before, after, FindingChangeKind::Resolved, db_build_id, at, changes);
  // New before resolved, each by identity: the same order whatever order the inputs came in.
  std::sort(changes.begin(), changes.end(), [](const FindingChange& a, const FindingChange& b) {
    return std::tie(a.kind, a.vulnerability_id, a.package_name, a.installed_version) <
           std::tie(b.kind, b.vulnerability_id, b.package_name, b.installed_version);
  });
  return changes;
}

std::string defaultStorePath() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/bulwark/bulwark.db";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') {
    return std::string(home) + "/.local/share/bulwark/bulwark.db";
  }
  return "bulwark.db";
}

namespace {

// Replaces the value of every `password=` parameter (URI query or key=value conninfo).
std::string redactPasswordParameters(std::string text) {
  static constexpr std::string_view kKey = "password=";
  std::size_t from = 0;
  while (from < text.size()) {
    const std::size_t at = text.find(kKey, from);
    if (at == std::string::npos) break;
    const bool starts_parameter = at == 0 || text[at - 1] == '?' || text[at - 1] == '&' ||
                                  text[at - 1] == ' ' || text[at - 1] == '\t';
    const std::size_t value = at + kKey.size();
    if (!starts_parameter) {
      from = value;
      continue;
    }
    std::size_t end = value;
    if (end < text.size() && text[end] == '\'') {  // conninfo quoting: 'p w\'d'
      ++end;
      while (end < text.size() && text[end] != '\'') end += text[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, text.size());
    } else {
      while (end < text.size() && text[end] != '&' && text[end] != ' ' && text[end] != '\t') {
        ++end;
      }
    }
    text.replace(value, end - value, "***");
    from = value + 3;
  }
  return text;
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string redactUrl(std::string_view url) {
  std::string text(url);
  const std::size_t scheme_end = text.find("://");
  if (scheme_end != std::string::npos) {
    const std::size_t authority = scheme_end + 3;
    const std::size_t authority_end = std::min(text.find_first_of("/?#", authority), text.size());
    const std::size_t at = text.rfind('@', authority_end);
    if (at != std::string::npos && at >= authority) {
      const std::size_t colon = text.find(':', authority);
      if (colon != std::string::npos && colon < at) {
        text.replace(colon + 1, at - colon - 1, "***");
      }
    }
  }
  return redactPasswordParameters(std::move(text));
}

core::Result<std::unique_ptr<Store>> openStore(std::string_view url) {
  if (url.empty()) return openSqliteStore(defaultStorePath());
  if (startsWith(url, "postgres://") || startsWith(url, "postgresql://")) {
    return openPostgresStore(url);
  }
  if (startsWith(url, "sqlite://")) {
    url.remove_prefix(std::string_view("sqlite://").size());
  } else if (startsWith(url, "sqlite:")) {
    url.remove_prefix(std::string_view("sqlite:").size());
  } else if (url.find("://") != std::string_view::npos) {
    return core::fail(ErrorCode::Usage,
                      "store '{}': unknown scheme (sqlite:PATH, a path, postgres://…)",
                      redactUrl(url));
  }
  if (url.empty()) return openSqliteStore(defaultStorePath());
  return openSqliteStore(url);
}

}  // namespace bulwark::store
