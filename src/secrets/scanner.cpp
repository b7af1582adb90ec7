#include "secrets/scanner.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <exception>
#include <tuple>

#include <fmt/format.h>
#include <hs.h>
#include <re2/re2.h>

namespace bulwark::secrets {

namespace {

// A keyword's line is cut to this many bytes either side of the hit (minified files).
constexpr std::size_t kMaxLineSpan = 4096;
constexpr std::size_t kMaxStars = 32;
constexpr std::size_t kExcerptBefore = 48;
constexpr std::size_t kExcerptBytes = 200;
constexpr std::size_t kSniffBytes = 512;
constexpr int kMaxGroups = 32;

// One regex match before allow rules: offsets into the scanned content.
struct RawMatch {
  std::uint32_t rule = 0;
  std::size_t begin = 0;  // of the whole match
  std::size_t end = 0;
  std::size_t secret_begin = 0;
  std::size_t secret_end = 0;
};

std::size_t lineBegin(std::string_view text, std::size_t pos) {
  const std::size_t floor = pos > kMaxLineSpan ? pos - kMaxLineSpan : 0;
  while (pos > floor && text[pos - 1] != '\n') --pos;
  return pos;
}

std::size_t lineEnd(std::string_view text, std::size_t pos) {
  const std::size_t limit = std::min(text.size(), pos + kMaxLineSpan);
  if (pos >= limit) return std::min(pos, text.size());
  const void* found = std::memchr(text.data() + pos, '\n', limit - pos);
  return found != nullptr ? static_cast<std::size_t>(static_cast<const char*>(found) - text.data())
                          : limit;
}

// Per-scan state the Hyperscan callback works on.
struct ScanContext {
  const RuleSet* rules = nullptr;
  std::string_view path;
  std::string_view content;
  std::vector<std::pair<std::size_t, std::size_t>> covered;  // per rule: region already run
  std::vector<signed char> path_ok;                          // per rule: -1 unknown, 0, 1
  std::vector<RawMatch> matches;
  bool truncated = false;
};

bool ruleAppliesToPath(ScanContext& context, std::uint32_t index) {
  signed char& state = context.path_ok[index];
  if (state < 0) {
    const auto& paths = context.rules->rules()[index].paths;
    bool ok = paths.empty();
    for (const auto& path : paths) {
      if (re2::RE2::PartialMatch(context.path, *path)) {
        ok = true;
        break;
      }
    }
    state = ok ? 1 : 0;
  }
  return state == 1;
}

// Runs rule `index` over [begin, end) of the content (the whole content as RE2's context, so
// that ^, $ and \b see the real neighbours).
void runRule(ScanContext& context, std::uint32_t index, std::size_t begin, std::size_t end) {
  const Rule& rule = context.rules->rules()[index];
  const re2::StringPiece text(context.content.data(), context.content.size());
  const int groups = std::min(rule.secret_group + 1, kMaxGroups);
  std::array<re2::StringPiece, kMaxGroups> found;
  std::size_t pos = begin;
  while (pos <= end) {
    if (context.matches.size() >= kMaxMatchesPerFile) {
      context.truncated = true;
      return;
    }
    if (!rule.regex->Match(text, pos, end, re2::RE2::UNANCHORED, found.data(), groups)) return;
    const re2::StringPiece whole = found[0];
    re2::StringPiece secret = rule.secret_group < groups ? found[rule.secret_group] : whole;
    if (secret.data() == nullptr) secret = whole;
    const auto offset = [&](const re2::StringPiece& piece) {
      return static_cast<std::size_t>(piece.data() - context.content.data());
    };
    if (!secret.empty()) {
      context.matches.push_back(RawMatch{index, offset(whole), offset(whole) + whole.size(),
                                         offset(secret), offset(secret) + secret.size()});
    }
    const std::size_t next = offset(whole) + whole.size();
    pos = next > pos ? next : pos + 1;
  }
}

int onKeyword(unsigned int id, unsigned long long /*from*/, unsigned long long to,
              unsigned int /*flags*/, void* opaque) {
  auto& context = *static_cast<ScanContext*>(opaque);
  const auto& rules = context.rules->rules();
  const std::size_t keyword_length = context.rules->keywords()[id].size();
  const auto hit_end = static_cast<std::size_t>(to);
  const std::size_t hit_begin = hit_end >= keyword_length ? hit_end - keyword_length : 0;
  for (const std::uint32_t index : context.rules->rulesForKeyword(id)) {
    auto& [covered_begin, covered_end] = context.covered[index];
    if (hit_begin >= covered_begin && hit_end <= covered_end) continue;
    if (!ruleAppliesToPath(context, index)) continue;
    const std::size_t window = rules[index].window;
    const std::size_t begin =
        lineBegin(context.content, hit_begin > window ? hit_begin - window : 0);
    const std::size_t end =
        lineEnd(context.content, std::min(context.content.size(), hit_end + window));
    covered_begin = begin;
    covered_end = end;
    runRule(context, index, begin, end);
  }
  return context.truncated ? 1 : 0;  // non-zero stops the scan
}

std::size_t visibleChars(std::size_t length) {
  if (length >= 20) return 4;
  if (length >= 12) return 2;
  return 0;
}

// Appends `text` with control characters escaped and invalid UTF-8 replaced by '?', so that
// excerpts are safe in terminals and JSON.
void appendSafe(std::string& out, std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c == '\n') {
        out += "\\n";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c < 0x20 || c == 0x7f) {
        out += fmt::format("\\x{:02x}", c);
      } else {
        out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    std::size_t length = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      length = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      length = 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4;
    }
    bool valid = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      valid = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
    }
    if (valid) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out.push_back('?');
      ++i;
    }
  }
}

// Renders content[from, to) with every secret range in `secrets` (sorted by secret_begin)
// replaced by its redaction.
std::string renderRedacted(std::string_view content, std::size_t from, std::size_t to,
                           const std::vector<RawMatch>& secrets) {
  std::string out;
  std::size_t pos = from;
  for (const auto& secret : secrets) {
    if (secret.secret_end <= pos) continue;
    if (secret.secret_begin >= to) break;
    if (secret.secret_begin > pos) {
      appendSafe(out, content.substr(pos, secret.secret_begin - pos));
      pos = secret.secret_begin;
    }
    const std::size_t length = secret.secret_end - secret.secret_begin;
    const std::size_t shown_end = secret.secret_begin + visibleChars(length);
    if (pos < shown_end) appendSafe(out, content.substr(pos, shown_end - pos));
    const std::size_t hidden_from = std::max(pos, shown_end);
    const std::size_t hidden_to = std::min(secret.secret_end, to);
    if (hidden_to > hidden_from) {
      // Stars for the hidden part: one per character, at most kMaxStars per secret.
      const std::size_t before = hidden_from - shown_end;
      const std::size_t stars =
          before >= kMaxStars ? 0 : std::min(hidden_to - hidden_from, kMaxStars - before);
      out.append(stars, '*');
    }
    pos = std::max(pos, std::min(secret.secret_end, to));
  }
  if (pos < to) appendSafe(out, content.substr(pos, to - pos));
  return out;
}

// An allow rule's regex drops a match when it matches the secret or the whole match (a
// placeholder password, an example host in the same URL).
bool secretAllowed(const RuleSet& rules, const Rule& rule, std::string_view path,
                   std::string_view secret, std::string_view whole) {
  for (const auto& allow : rule.allow_rules) {
    if (allow.regex && !re2::RE2::PartialMatch(secret, *allow.regex) &&
        !re2::RE2::PartialMatch(whole, *allow.regex)) {
      continue;
    }
    if (allow.path && !re2::RE2::PartialMatch(path, *allow.path)) continue;
    return true;
  }
  return !rules.allowedSecret(path, secret).empty() || !rules.allowedSecret(path, whole).empty();
}

std::vector<model::SecretFinding> scanContent(const RuleSet& rules, std::string_view path,
                                              std::string_view content,
                                              core::Diagnostics* diagnostics) {
  std::vector<model::SecretFinding> findings;
  if (content.empty() || content.size() > UINT_MAX) return findings;
  thread_local ScanContext context;
  context.rules = &rules;
  context.path = path;
  context.content = content;
  context.covered.assign(rules.rules().size(), {0, 0});
  context.path_ok.assign(rules.rules().size(), -1);
  context.matches.clear();
  context.truncated = false;

  if (rules.database() != nullptr) {
    const auto scratch = rules.acquireScratch();
    if (scratch.get() == nullptr) {
      if (diagnostics != nullptr) {
        diagnostics->add("secret.no-scratch", std::string(path),
                         "no Hyperscan scratch space: the file was not scanned");
      }
      return findings;
    }
    hs_scan(rules.database(), content.data(), static_cast<unsigned int>(content.size()), 0,
            scratch.get(), onKeyword, &context);
  }
  for (const std::uint32_t index : rules.unkeyedRules()) {
    if (ruleAppliesToPath(context, index)) runRule(context, index, 0, content.size());
  }
  if (context.truncated && diagnostics != nullptr) {
    diagnostics->add("secret.too-many-matches", std::string(path),
                     fmt::format("more than {} matches: the rest of the file was not looked at",
                                 kMaxMatchesPerFile));
  }

  // Allow rules, then one finding per kept match.
  std::vector<RawMatch> kept;
  for (const auto& match : context.matches) {
    const Rule& rule = rules.rules()[match.rule];
    const auto secret = content.substr(match.secret_begin, match.secret_end - match.secret_begin);
    const auto whole = content.substr(match.begin, match.end - match.begin);
    if (!secretAllowed(rules, rule, path, secret, whole)) kept.push_back(match);
  }
  context.matches.clear();
  if (kept.empty()) return findings;
  std::sort(kept.begin(), kept.end(), [](const RawMatch& a, const RawMatch& b) {
    return std::tie(a.secret_begin, a.secret_end, a.rule) <
           std::tie(b.secret_begin, b.secret_end, b.rule);
  });
  std::vector<std::size_t> order(kept.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return kept[a].begin < kept[b].begin; });
  std::size_t line = 1;
  std::size_t counted_to = 0;
  for (const std::size_t i : order) {
    const RawMatch& match = kept[i];
    const Rule& rule = rules.rules()[match.rule];
    line += static_cast<std::size_t>(
        std::count(content.begin() + static_cast<std::ptrdiff_t>(counted_to),
                   content.begin() + static_cast<std::ptrdiff_t>(match.begin), '\n'));
    counted_to = match.begin;
    model::SecretFinding finding;
    finding.rule_id = rule.id;
    finding.category = rule.category;
    finding.title = rule.title;
    finding.severity = rule.severity;
    finding.path = std::string(path);
    finding.line = static_cast<std::uint32_t>(std::min<std::size_t>(line, UINT32_MAX));
    finding.match =
        redact(content.substr(match.secret_begin, match.secret_end - match.secret_begin));
    std::size_t line_start = match.begin;
    while (line_start > 0 && content[line_start - 1] != '\n' &&
           match.begin - line_start < kExcerptBefore) {
      --line_start;
    }
    const std::size_t line_stop = lineEnd(content, match.begin);
    const std::size_t stop = std::min(line_stop, line_start + kExcerptBytes);
    finding.excerpt = renderRedacted(content, line_start, stop, kept);
    findings.push_back(std::move(finding));
  }
  sortAndDeduplicate(findings);
  return findings;
}

}  // namespace

std::string redact(std::string_view secret) {
  const std::size_t shown = visibleChars(secret.size());
  std::string out;
  appendSafe(out, secret.substr(0, shown));
  out.append(std::min(secret.size() - shown, kMaxStars), '*');
  return out;
}

bool looksBinary(std::string_view head) {
  head = head.substr(0, kSniffBytes);
  std::size_t control = 0;
  for (const char ch : head) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0) return true;
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b) ||
        c == 0x7f) {
      ++control;
    }
  }
  return control * 10 > head.size();
}

void sortAndDeduplicate(std::vector<model::SecretFinding>& findings) {
  const auto key = [](const model::SecretFinding& f) {
    return std::tie(f.path, f.layer_digest, f.line, f.rule_id);
  };
  std::stable_sort(findings.begin(), findings.end(),
                   [&](const auto& a, const auto& b) { return key(a) < key(b); });
  findings.erase(std::unique(findings.begin(), findings.end(),
                             [&](const auto& a, const auto& b) { return key(a) == key(b); }),
                 findings.end());
}

std::vector<model::SecretFinding> scanText(const RuleSet& rules, std::string_view path,
                                           std::string_view content,
                                           core::Diagnostics* diagnostics) {
  if (rules.pathAllowed(path) || looksBinary(content)) return {};
  return scanContent(rules, path, content, diagnostics);
}

std::vector<model::SecretFinding> scanImageConfig(const RuleSet& rules,
                                                  const model::ImageConfig& config) {
  std::vector<model::SecretFinding> out;
  const auto add_entry = [&](std::string_view path, std::string_view text, std::size_t index) {
    for (auto& finding : scanContent(rules, path, text, nullptr)) {
      finding.line = static_cast<std::uint32_t>(std::min<std::size_t>(index + 1, UINT32_MAX));
      out.push_back(std::move(finding));
    }
  };
  for (std::size_t i = 0; i < config.env.size(); ++i) add_entry("config:Env", config.env[i], i);
  for (std::size_t i = 0; i < config.labels.size(); ++i) {
    const auto& [key, value] = config.labels[i];
    add_entry("config:Labels", key + "=" + value, i);
  }
  for (std::size_t i = 0; i < config.history.size(); ++i) {
    const std::string path = fmt::format("history[{}]", i);
    for (auto& finding : scanContent(rules, path, config.history[i].created_by, nullptr)) {
      out.push_back(std::move(finding));
    }
  }
  sortAndDeduplicate(out);
  return out;
}

Scanner::Scanner(std::shared_ptr<const RuleSet> rules, ScannerOptions options)
    : rules_(std::move(rules)), options_(options) {}

image::ContentScanner::Want Scanner::wants(const image::ScannedFile& file) const noexcept {
  try {
    return rules_->pathAllowed(file.path) ? Want::Nothing : Want::Content;
  } catch (...) {
    return Want::Nothing;
  }
}

bool Scanner::acceptsHead(const image::ScannedFile& /*file*/,
                          std::string_view head) const noexcept {
  return !looksBinary(head);
}

void Scanner::scan(const image::ScannedFile& file, std::string_view content,
                   core::Diagnostics& diagnostics) {
  try {
    if (content.size() > options_.max_file_bytes) {
      diagnostics.add("secret.file-too-large", std::string(file.path),
                      fmt::format("{} bytes, above the {} byte limit: not scanned", content.size(),
                                  options_.max_file_bytes));
      return;
    }
    files_scanned_.fetch_add(1, std::memory_order_relaxed);
    bytes_scanned_.fetch_add(content.size(), std::memory_order_relaxed);
    auto found = scanContent(*rules_, file.path, content, &diagnostics);
    if (found.empty()) return;
    for (auto& finding : found) finding.layer_digest = std::string(file.layer);
    const std::lock_guard lock(mutex_);
    findings_.insert(findings_.end(), std::make_move_iterator(found.begin()),
                     std::make_move_iterator(found.end()));
  } catch (const std::exception& e) {
    diagnostics.add("secret.scan-failed", std::string(file.path), e.what());
  }
}

std::vector<model::SecretFinding> Scanner::findings() const {
  std::vector<model::SecretFinding> out;
  {
    const std::lock_guard lock(mutex_);
    out = findings_;
  }
  sortAndDeduplicate(out);
  return out;
}

}  // namespace bulwark::secrets
