// The comparison operators of a check's test.
#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <re2/re2.h>

#include "checks/check.h"
#include "core/text.h"

namespace bulwark::checks {

namespace {

std::optional<std::int64_t> parseNumber(std::string_view text, int base = 10) {
  text = core::trim(text);
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, base);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

// Octal digits only, at most 20 of them (below 2^63): file modes and masks.
std::optional<std::int64_t> parseOctal(std::string_view text) {
  text = core::trim(text);
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::int64_t value = 0;
  for (const char ch : text) {
    if (ch < '0' || ch > '7') return std::nullopt;
    value = value * 8 + (ch - '0');
  }
  return value;
}

}  // namespace

std::string Comparison::compile() {
  const std::string name(mode_at_most ? "mode-at-most" : toString(op));
  regex.reset();
  number = 0;
  switch (op) {
    case Op::Regex:
    case Op::NotRegex: {
      if (values.size() != 1) return "a regular expression comparison takes one pattern";
      RE2::Options options;
      options.set_log_errors(false);
      auto compiled =
          std::make_shared<const RE2>((case_insensitive ? "(?i)" : "") + values[0], options);
      if (!compiled->ok()) {
        return fmt::format("bad regular expression \"{}\": {}", values[0], compiled->error());
      }
      regex = std::move(compiled);
      return {};
    }
    case Op::Lt:
    case Op::Gt: {
      const auto parsed = values.size() == 1 ? parseNumber(values[0]) : std::nullopt;
      if (!parsed) return fmt::format("`{}` takes one (signed 64-bit) number", name);
      number = *parsed;
      return {};
    }
    case Op::Bitmask: {
      const auto parsed = values.size() == 1 ? parseOctal(values[0]) : std::nullopt;
      if (!parsed || (mode_at_most && *parsed > 07777)) {
        return fmt::format("`{}` takes one octal number{}", name,
                           mode_at_most ? " up to 7777" : "");
      }
      number = mode_at_most ? (07777 & ~*parsed) : *parsed;
      return {};
    }
    default: return {};
  }
}

std::string_view toString(Op op) {
  switch (op) {
    case Op::Eq: return "eq";
    case Op::Ne: return "ne";
    case Op::Lt: return "lt";
    case Op::Gt: return "gt";
    case Op::Has: return "has";
    case Op::NotHas: return "not-has";
    case Op::Regex: return "regex";
    case Op::NotRegex: return "not-regex";
    case Op::Bitmask: return "bitmask";
    case Op::InSet: return "in-set";
    case Op::NotInSet: return "not-in-set";
    case Op::Set: return "set";
    case Op::Unset: return "unset";
  }
  return "set";
}

std::optional<bool> Comparison::matches(const Observation& observation) const {
  const auto fold = [&](std::string_view text) {
    return case_insensitive ? core::asciiLower(text) : std::string(text);
  };
  const auto equal = [&](std::string_view a, std::string_view b) { return fold(a) == fold(b); };
  const auto in_values = [&](std::string_view item) {
    return std::any_of(values.begin(), values.end(),
                       [&](const std::string& v) { return equal(item, v); });
  };
  const std::string scalar = observation.values.empty() ? "" : observation.values.front();
  const auto search = [&](std::string_view text) {
    return regex != nullptr && RE2::PartialMatch(text, *regex);
  };
  switch (op) {
    case Op::Set: return true;
    case Op::Unset: return false;
    case Op::Eq: return in_values(scalar);
    case Op::Ne: return !in_values(scalar);
    case Op::InSet:
      if (observation.is_list) {
        return std::all_of(observation.values.begin(), observation.values.end(), in_values);
      }
      return in_values(scalar);
    case Op::NotInSet:
      if (observation.is_list) {
        return std::none_of(observation.values.begin(), observation.values.end(), in_values);
      }
      return !in_values(scalar);
    case Op::Has:
    case Op::NotHas: {
      bool found = false;
      if (observation.is_list) {
        found = std::any_of(observation.values.begin(), observation.values.end(), in_values);
      } else {
        const std::string folded = fold(scalar);
        found = std::any_of(values.begin(), values.end(), [&](const std::string& v) {
          return folded.find(fold(v)) != std::string::npos;
        });
      }
      return op == Op::Has ? found : !found;
    }
    case Op::Regex:
    case Op::NotRegex: {
      bool found = false;
      if (observation.is_list) {
        found = std::any_of(observation.values.begin(), observation.values.end(), search);
      } else {
        found = search(scalar);
      }
      return op == Op::Regex ? found : !found;
    }
    case Op::Lt:
    case Op::Gt: {
      const auto value = parseNumber(scalar);
      if (!value) return std::nullopt;
      return op == Op::Lt ? *value < this->number : *value > this->number;
    }
    case Op::Bitmask: {
      const auto value = parseNumber(scalar, 8);
      if (!value) return std::nullopt;
      return (*value & this->number) == 0;
    }
  }
  return std::nullopt;
}

std::string Comparison::describe() const {
  const auto joined = [&] {
    std::string out;
    for (const auto& v : values) {
      if (!out.empty()) out += ", ";
      out += v.empty() ? "\"\"" : v;
    }
    return out;
  };
  switch (op) {
    case Op::Eq: return fmt::format("equal to {}", joined());
    case Op::Ne: return fmt::format("not {}", joined());
    case Op::Lt: return fmt::format("less than {}", number);
    case Op::Gt: return fmt::format("greater than {}", number);
    case Op::Has: return fmt::format("containing {}", joined());
    case Op::NotHas: return fmt::format("not containing {}", joined());
    case Op::Regex: return fmt::format("matching /{}/", regex ? regex->pattern() : "");
    case Op::NotRegex: return fmt::format("not matching /{}/", regex ? regex->pattern() : "");
    case Op::Bitmask:
      if (mode_at_most) return fmt::format("mode {} or stricter", values.empty() ? "" : values[0]);
      return fmt::format("none of the bits {:o} set", number);
    case Op::InSet: return fmt::format("one of {}", joined());
    case Op::NotInSet: return fmt::format("none of {}", joined());
    case Op::Set: return "present";
    case Op::Unset: return "absent";
  }
  return {};
}

}  // namespace bulwark::checks
