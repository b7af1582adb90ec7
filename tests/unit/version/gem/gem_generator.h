// Generated RubyGems version strings and requirements for the gem tests: mostly strings
// Gem::Version accepts, built from the pieces that make the ordering interesting (zeros before
// and after string segments, '-' as ".pre.", case, huge numbers, blanks), plus near misses.
#pragma once

#include <string>
#include <string_view>

#include "unit/version/reference_process.h"

namespace bulwark::version::testing {

class GemGenerator {
 public:
  explicit GemGenerator(Rng& rng) : rng_(rng) {}

  std::string digits() {
    std::string out;
    if (rng_.chance(10)) out.append(1 + rng_.below(2), '0');
    if (rng_.chance(20)) return out + "0";
    const std::size_t len = rng_.chance(4) ? 18 + rng_.below(12) : 1 + rng_.below(2);
    for (std::size_t i = 0; i < len; ++i) out += static_cast<char>('0' + rng_.below(10));
    return out;
  }

  std::string word() {
    static constexpr std::string_view kWords[] = {"a",  "b", "rc",    "pre", "alpha", "beta",
                                                  "A",  "Z", "x",     "dev", "final", "GA",
                                                  "RC", "z", "patch", "p",   "pr",    "Pre"};
    if (rng_.chance(70)) return std::string(rng_.among(kWords));
    std::string out;
    const std::size_t len = 1 + rng_.below(3);
    for (std::size_t i = 0; i < len; ++i) out += rng_.pick("abcdxyzABCXYZ");
    return out;
  }

  // [0-9a-zA-Z]+, often digits only, sometimes mixed ("0a", "b1", "rc2").
  std::string alnum() {
    const std::size_t kind = rng_.below(100);
    if (kind < 55) return digits();
    if (kind < 75) return word();
    if (kind < 88) return word() + digits();
    return digits() + word();
  }

  // [0-9A-Za-z-]+
  std::string dashy() {
    std::string out = rng_.chance(85) ? alnum() : std::string("-");
    if (rng_.chance(15)) out += "-" + alnum();
    if (rng_.chance(5)) out += "-";
    return out;
  }

  std::string blanks() {
    std::string out;
    const std::size_t n = 1 + rng_.below(2);
    for (std::size_t i = 0; i < n; ++i) out += rng_.pick(" \t\n\v\f\r");
    return out;
  }

  // A string Gem::Version accepts (by construction of VERSION_PATTERN).
  std::string version() {
    if (rng_.chance(2)) return rng_.chance(50) ? std::string() : blanks();
    std::string v;
    if (rng_.chance(4)) v += blanks();
    v += digits();
    const std::size_t parts = rng_.below(6);
    for (std::size_t i = 0; i < parts; ++i) v += "." + alnum();
    if (rng_.chance(25)) {
      v += "-" + dashy();
      const std::size_t more = rng_.below(3);
      for (std::size_t i = 0; i < more; ++i) v += "." + dashy();
    }
    if (rng_.chance(4)) v += blanks();
    return v;
  }

  // A near miss of `v`: usually still accepted, sometimes not.
  std::string mutate(std::string v) {
    const std::size_t edits = 1 + rng_.below(2);
    for (std::size_t e = 0; e < edits; ++e) {
      const std::size_t at = rng_.below(v.size() + 1);
      switch (rng_.below(13)) {
        case 0: v.insert(at, 1, rng_.pick("0123456789.-aZ ")); break;
        case 1:
          if (at < v.size()) v.erase(at, 1);
          break;
        case 2:
          if (at < v.size()) v[at] = rng_.pick("0123456789.-aZ");
          break;
        case 3: v += ".0"; break;
        case 4: v += rng_.chance(50) ? ".a" : "-1"; break;
        case 5: {  // zeros before the first letter: canonically equal
          const std::size_t letter = v.find_first_of("abcdefghijklmnopqrstuvwxyzABCXYZ-");
          if (letter != std::string::npos && letter > 0 && v[letter - 1] == '.') {
            v.insert(letter, "0.");
          } else {
            v += ".0.0";
          }
          break;
        }
        case 6: v.insert(at, "0"); break;
        case 7: {  // bump a digit
          for (std::size_t i = at; i < v.size(); ++i) {
            if (v[i] >= '0' && v[i] <= '8') {
              ++v[i];
              break;
            }
          }
          break;
        }
        case 8:
          if (at < v.size() && v[at] >= 'a' && v[at] <= 'z') v[at] = static_cast<char>(v[at] - 32);
          break;
        case 9: {  // truncate at a separator
          const std::size_t dot = v.rfind('.');
          if (dot != std::string::npos && dot > 0) v.resize(dot);
          break;
        }
        case 10: v += "." + alnum(); break;
        case 11: v.insert(at, 1, static_cast<char>(rng_.below(256))); break;
        default: v = "." + v; break;
      }
    }
    return v;
  }

  // Anything at all: high bytes, NULs, punctuation.
  std::string garbage() {
    std::string out;
    const std::size_t len = rng_.below(14);
    for (std::size_t i = 0; i < len; ++i) {
      const std::size_t kind = rng_.below(10);
      if (kind < 4) {
        out += rng_.pick("0123456789");
      } else if (kind < 6) {
        out += rng_.pick("aZpre");
      } else if (kind < 8) {
        out += rng_.pick(".-_+~ \t,!");
      } else {
        out += static_cast<char>(rng_.below(256));
      }
    }
    return out;
  }

  std::string op() {
    static constexpr std::string_view kOps[] = {"=", "!=", ">", "<", ">=", "<=", "~>", ""};
    return std::string(rng_.among(kOps));
  }

  // A requirement clause around `version` (no blanks inside the version itself).
  std::string clause(const std::string& version) {
    std::string out;
    if (rng_.chance(20)) out += blanks();
    out += op();
    if (rng_.chance(70)) out += rng_.chance(80) ? std::string(" ") : blanks();
    out += version;
    if (rng_.chance(15)) out += rng_.chance(70) ? std::string(" ") : blanks();
    return out;
  }

 private:
  Rng& rng_;
};

}  // namespace bulwark::version::testing
