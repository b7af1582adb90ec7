// Generated Composer version strings for the composer tests: classical and date-like versions,
// stability modifiers in every spelling, dev- and numeric branches, aliases, stability flags,
// build metadata, blanks, plus near misses and garbage.
#pragma once

#include <string>
#include <string_view>

#include "unit/version/reference_process.h"

namespace bulwark::version::testing {

class ComposerGenerator {
 public:
  explicit ComposerGenerator(Rng& rng) : rng_(rng) {}

  std::string digits(std::size_t min_len = 1) {
    std::string out;
    if (rng_.chance(10)) out += '0';
    std::size_t len = rng_.chance(3) ? 17 + rng_.below(8) : min_len + rng_.below(2);
    if (rng_.chance(30)) len = min_len;
    for (std::size_t i = 0; i < len; ++i) out += static_cast<char>('0' + rng_.below(10));
    if (out.size() > 1 && rng_.chance(20)) out = out.substr(0, 1);
    return out;
  }

  std::string modifier() {
    static constexpr std::string_view kWords[] = {
        "stable", "Stable", "STABLE", "beta",  "BETA", "b",        "B",     "RC",
        "rc",     "Rc",     "alpha",  "Alpha", "a",    "A",        "patch", "pl",
        "PL",     "p",      "P",      "dev",   "foo",  "SNAPSHOT", "final", "pre",
    };
    std::string out;
    if (rng_.chance(70)) out += rng_.pick("._-");
    if (rng_.chance(80)) {
      out += rng_.among(kWords);
      const std::size_t numbers = rng_.chance(60) ? 1 + rng_.below(3) : 0;
      for (std::size_t i = 0; i < numbers; ++i) {
        if (rng_.chance(50)) out += rng_.pick(".-");
        out += digits();
      }
    }
    if (rng_.chance(25)) {
      if (rng_.chance(60)) out += rng_.pick(".-");
      out += rng_.chance(80) ? "dev" : "DEV";
    }
    return out;
  }

  std::string classical() {
    std::string v = rng_.chance(5) ? digits(5 + rng_.below(2)) : digits();
    const std::size_t groups = rng_.below(5);
    for (std::size_t i = 0; i < groups; ++i) v += "." + digits();
    return v;
  }

  std::string date() {
    std::string v = digits(4);
    if (v.size() < 4 && rng_.chance(80)) v = "2010";
    const std::size_t pairs = rng_.below(8);
    for (std::size_t i = 0; i < pairs; ++i) {
      if (rng_.chance(50)) v += rng_.pick(".:-");
      v += rng_.chance(85) ? std::to_string(10 + rng_.below(90)) : digits();
    }
    if (rng_.chance(30)) {
      if (rng_.chance(50)) v += rng_.pick(".:-");
      v += std::to_string(rng_.below(rng_.chance(50) ? 10 : 1000));
    }
    return v;
  }

  std::string branch() {
    static constexpr std::string_view kNames[] = {"master", "trunk",   "default", "feature/foo",
                                                  "1.0",    "foo bar", "x",       "1.x",
                                                  "main",   "a+b",     "",        "B"};
    const std::size_t kind = rng_.below(100);
    if (kind < 35)
      return std::string(rng_.chance(80) ? "dev-" : "DEV-") + std::string(rng_.among(kNames));
    if (kind < 45) return std::string(rng_.among(kNames));
    // Numeric branches: "1.x-dev", "v2.*-dev", "1.2.X.dev", "3-dev"
    std::string v;
    if (rng_.chance(10)) v += rng_.pick("vV");
    v += digits();
    const std::size_t groups = rng_.below(5);
    for (std::size_t i = 0; i < groups; ++i) {
      v += ".";
      v += rng_.chance(50) ? digits() : std::string(1, rng_.pick("xX*"));
    }
    if (rng_.chance(70)) v += rng_.pick(".-");
    v += rng_.chance(85) ? "dev" : "Dev";
    return v;
  }

  std::string blanks() {
    std::string out;
    const std::size_t n = 1 + rng_.below(2);
    for (std::size_t i = 0; i < n; ++i) out += rng_.pick(" \t\n\r\v\f");
    return out;
  }

  std::string version() {
    if (rng_.chance(2)) return rng_.chance(50) ? std::string() : blanks();
    std::string v;
    const std::size_t kind = rng_.below(100);
    if (kind < 62) {
      if (rng_.chance(10)) v += rng_.pick("vV");
      v += classical();
      if (rng_.chance(45)) v += modifier();
    } else if (kind < 78) {
      if (rng_.chance(10)) v += rng_.pick("vV");
      v += date();
      if (rng_.chance(35)) v += modifier();
    } else {
      v += branch();
    }
    if (rng_.chance(8))
      v += "+" + std::string(rng_.chance(50) ? "build" : "001") + (rng_.chance(10) ? " x" : "");
    if (rng_.chance(6)) {
      static constexpr std::string_view kFlags[] = {"@dev",  "@stable", "@RC",
                                                    "@beta", "@ALPHA",  "@foo"};
      v += rng_.among(kFlags);
    }
    if (rng_.chance(4)) v += std::string(rng_.chance(80) ? " as " : "  as  ") + classical();
    if (rng_.chance(5)) v = blanks() + v;
    if (rng_.chance(5)) v += blanks();
    return v;
  }

  std::string mutate(std::string v) {
    const std::size_t edits = 1 + rng_.below(2);
    for (std::size_t e = 0; e < edits; ++e) {
      const std::size_t at = rng_.below(v.size() + 1);
      switch (rng_.below(14)) {
        case 0: v.insert(at, 1, rng_.pick("0123456789.-_+@:xX* vabdeprclsth\n")); break;
        case 1:
          if (at < v.size()) v.erase(at, 1);
          break;
        case 2:
          if (at < v.size()) v[at] = rng_.pick("0123456789.-_:xvabdep");
          break;
        case 3: v += ".0"; break;
        case 4: v += rng_.chance(50) ? "-dev" : "dev"; break;
        case 5: v = "v" + v; break;
        case 6: v += "+b"; break;
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
        case 9: v += rng_.chance(50) ? "@dev" : "@stable"; break;
        case 10: v.insert(at, "0"); break;
        case 11: v += "-" + modifier(); break;
        case 12: v.insert(at, 1, static_cast<char>(rng_.below(256))); break;
        default: {  // truncate at the last '.'
          const std::size_t dot = v.rfind('.');
          if (dot != std::string::npos) v.resize(dot);
          break;
        }
      }
    }
    return v;
  }

  std::string garbage() {
    std::string out;
    const std::size_t len = rng_.below(14);
    for (std::size_t i = 0; i < len; ++i) {
      const std::size_t kind = rng_.below(10);
      if (kind < 4) {
        out += rng_.pick("0123456789");
      } else if (kind < 6) {
        out += rng_.pick("devxpbaRC");
      } else if (kind < 8) {
        out += rng_.pick(".-_+@: \t\n,*");
      } else {
        out += static_cast<char>(rng_.below(256));
      }
    }
    return out;
  }

 private:
  Rng& rng_;
};

}  // namespace bulwark::version::testing
