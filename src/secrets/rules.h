// Secret rules: the builtin set (data/secrets/rules.yaml, embedded) merged with a user's
// config file in the format Trivy users know from trivy-secret.yaml:
//
//   rules:                  # more rules: id, category, title, severity, keywords, regex,
//     - id: ...             #   secret-group-name, path, window, allow-rules
//   allow-rules:            # more global allow rules: id, description, path, regex
//   enable-builtin-rules:   # when present, only these builtin rules run
//   disable-rules:          # rule ids (builtin or own) that do not run
//   disable-allow-rules:    # allow rule ids (builtin or own) that no longer apply
//
// A RuleSet is compiled once — RE2 programs, one Hyperscan database of every keyword, a pool
// of Hyperscan scratch spaces — and is then shared, read-only, by every scanning thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "model/advisory.h"

namespace re2 {
class RE2;
}  // namespace re2

struct hs_database;
struct hs_scratch;

namespace bulwark::secrets {

// A path and/or a secret pattern that makes a finding not count. With only `path`, files whose
// path matches are not read at all; with only `regex`, findings whose secret matches are
// dropped; with both, a finding is dropped when both match.
struct AllowRule {
  std::string id;
  std::string description;
  std::shared_ptr<const re2::RE2> path;   // null when absent
  std::shared_ptr<const re2::RE2> regex;  // null when absent
};

struct Rule {
  std::string id;
  std::string category;
  std::string title;
  model::Severity severity = model::Severity::Unknown;
  std::vector<std::string> keywords;  // lower case; empty: the regex runs over the whole file
  std::shared_ptr<const re2::RE2> regex;
  int secret_group = 0;  // capture group index of the secret; 0 = the whole match
  std::vector<std::shared_ptr<const re2::RE2>> paths;  // any must match; empty = every file
  std::size_t window = 0;  // bytes around a keyword hit the regex sees (whole lines); 0 = line
  std::vector<AllowRule> allow_rules;
  bool builtin = false;
};

class RuleSet {
 public:
  RuleSet(std::vector<Rule> rules, std::vector<AllowRule> allow_rules);
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;
  RuleSet(RuleSet&&) = delete;
  RuleSet& operator=(RuleSet&&) = delete;

  [[nodiscard]] const std::vector<Rule>& rules() const { return rules_; }
  [[nodiscard]] const std::vector<AllowRule>& allowRules() const { return allow_rules_; }
  // The distinct keywords (lower case), in the order of Hyperscan pattern ids.
  [[nodiscard]] const std::vector<std::string>& keywords() const { return keywords_; }
  // Rules (indices into rules()) that keyword `keyword_index` triggers.
  [[nodiscard]] const std::vector<std::uint32_t>& rulesForKeyword(std::size_t index) const {
    return keyword_rules_[index];
  }
  // Rules without keywords: their regex runs over every file.
  [[nodiscard]] const std::vector<std::uint32_t>& unkeyedRules() const { return unkeyed_rules_; }

  // True when a global path-only allow rule matches: the file is not read at all.
  [[nodiscard]] bool pathAllowed(std::string_view path) const;
  // The id of the global regex allow rule that matches `secret` (the secret or the whole
  // match) at `path`, or "".
  [[nodiscard]] std::string_view allowedSecret(std::string_view path,
                                               std::string_view secret) const;

  [[nodiscard]] const hs_database* database() const { return database_; }

  // A Hyperscan scratch space for one scan on the calling thread; returns it to the pool.
  class ScratchLease {
   public:
    ScratchLease(const RuleSet& owner, hs_scratch* scratch) : owner_(&owner), scratch_(scratch) {}
    ~ScratchLease();
    ScratchLease(const ScratchLease&) = delete;
    ScratchLease& operator=(const ScratchLease&) = delete;
    ScratchLease(ScratchLease&& other) noexcept
        : owner_(other.owner_), scratch_(std::exchange(other.scratch_, nullptr)) {}
    ScratchLease& operator=(ScratchLease&&) = delete;
    [[nodiscard]] hs_scratch* get() const { return scratch_; }

   private:
    const RuleSet* owner_;
    hs_scratch* scratch_;
  };
  // Null scratch when there is no database (no keywords) or allocation failed.
  [[nodiscard]] ScratchLease acquireScratch() const;

  // Set by makeRuleSet(): an error compiling the database (empty when fine).
  [[nodiscard]] const std::string& compileError() const { return compile_error_; }

 private:
  void release(hs_scratch* scratch) const;

  std::vector<Rule> rules_;
  std::vector<AllowRule> allow_rules_;
  std::vector<std::string> keywords_;
  std::vector<std::vector<std::uint32_t>> keyword_rules_;
  std::vector<std::uint32_t> unkeyed_rules_;
  struct PathSet;                           // RE2::Set, which cannot be forward-declared
  std::unique_ptr<PathSet> skip_paths_;     // the path-only global allow rules
  std::vector<std::size_t> secret_allows_;  // global allow rules with a regex
  hs_database* database_ = nullptr;
  hs_scratch* prototype_ = nullptr;
  std::string compile_error_;
  mutable std::mutex pool_mutex_;
  mutable std::vector<hs_scratch*> pool_;
};

// The builtin rules, then the user's config at `config_path` ("" = builtin only). A config
// that cannot be read or has bad items fails with every problem listed (file:line: what).
core::Result<std::shared_ptr<const RuleSet>> loadRules(const std::string& config_path = "");

// The same from config text already in memory (`where` names it in errors); fuzzing and tests.
core::Result<std::shared_ptr<const RuleSet>> loadRulesFromText(std::string_view config_text,
                                                               std::string_view where);

// The builtin rule file's text (data/secrets/rules.yaml).
std::string_view builtinRulesText();

}  // namespace bulwark::secrets
