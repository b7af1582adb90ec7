// RubyGems versions (Gem::Version) and requirements (Gem::Requirement), as Bundler, Gemfile.lock
// and the ruby-advisory-db advisories (`patched_versions`, `unaffected_versions`) use them.
//
// Ordering: Gem::Version#<=> of RubyGems 3.3 (Debian 12's ruby). src/version/gem.cpp explains
// the algorithm and what bulwark answers for strings Gem::Version.new refuses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace bulwark::version {

// Gem::Version.new(a) <=> Gem::Version.new(b) as -1/0/+1: "1.0" == "1.0.0", "1.0.a" < "1.0",
// "1.0-rc1" == "1.0.pre.rc1". Total: strings Gem::Version refuses get a deterministic answer
// (the same segment rules applied to whatever segments they hold). No allocation.
int compareGem(std::string_view a, std::string_view b) noexcept;

// Gem::Version.correct?: `\s* [digits{.alnum}[-alnum-{.alnum-}]] \s*` (blank counts as "0").
// On failure `problem`, when given, receives a short static description.
bool validGem(std::string_view v, std::string_view* problem = nullptr) noexcept;

// One `op version` clause of a requirement.
enum class GemOp : std::uint8_t { Eq, Ne, Gt, Lt, Ge, Le, Pessimistic };

struct GemConstraint {
  GemOp op = GemOp::Eq;
  std::string version;  // as written, without the blanks around it
  std::string bump;     // for "~>": Gem::Version#bump of `version` ("1.2.3" -> "1.3"), else ""
};

// A conjunction of clauses: ">= 1.0, < 2" is satisfied by versions meeting every clause.
struct GemRequirement {
  std::vector<GemConstraint> constraints;

  // Gem::Requirement#satisfied_by?; `version` is compared with compareGem (so a version that
  // Gem::Version refuses still gets a deterministic answer; check it with validGem first).
  bool satisfiedBy(std::string_view version) const noexcept;
};

// Parses a comma-separated list of Gem::Requirement clauses, each `\s*[op]\s*version\s*` with
// op one of = != > < >= <= ~> (none means "="), the way bundler-audit reads ruby-advisory-db
// entries (Gem::Requirement.new(*text.split(","))). An empty text or empty clause is an error
// (ErrorCode::Input), as is any clause Gem::Requirement.parse refuses.
core::Result<GemRequirement> parseGemRequirement(std::string_view text);

}  // namespace bulwark::version
