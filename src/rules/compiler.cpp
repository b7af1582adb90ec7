#include "rules/compiler.h"

#include <arpa/inet.h>
#include <fnmatch.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <optional>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>
#include <re2/re2.h>

namespace bulwark::rules {

namespace {

using events::FieldType;
using events::Values;
namespace field_flag = events::field_flag;

enum class Op {
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  Contains,
  IContains,
  BContains,
  StartsWith,
  BStartsWith,
  EndsWith,
  Glob,
  IGlob,
  Regex,
  In,
  Intersects,
  PMatch,
  Exists,
};

struct OpName {
  std::string_view name;
  Op op;
};
constexpr OpName kOps[] = {
    {"=", Op::Eq},
    {"==", Op::Eq},
    {"!=", Op::Ne},
    {"<", Op::Lt},
    {"<=", Op::Le},
    {">", Op::Gt},
    {">=", Op::Ge},
    {"contains", Op::Contains},
    {"icontains", Op::IContains},
    {"bcontains", Op::BContains},
    {"startswith", Op::StartsWith},
    {"bstartswith", Op::BStartsWith},
    {"endswith", Op::EndsWith},
    {"glob", Op::Glob},
    {"iglob", Op::IGlob},
    {"regex", Op::Regex},
    {"in", Op::In},
    {"intersects", Op::Intersects},
    {"pmatch", Op::PMatch},
    {"exists", Op::Exists},
};

std::optional<Op> opOf(std::string_view name) {
  for (const auto& entry : kOps) {
    if (entry.name == name) return entry.op;
  }
  return std::nullopt;
}

bool isSetOp(Op op) { return op == Op::In || op == Op::Intersects || op == Op::PMatch; }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// "48656c6c6f" → "Hello"; false when not an even number of hex digits.
bool decodeHex(std::string_view text, std::string& out) {
  if (text.size() % 2 != 0) return false;
  out.clear();
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = hexValue(text[i]);
    const int low = hexValue(text[i + 1]);
    if (high < 0 || low < 0) return false;
    out += static_cast<char>(high * 16 + low);
  }
  return true;
}

// Standard base64 with padding, as Falco's b64 transformer decodes; false when invalid.
bool decodeBase64(std::string_view text, std::string& out) {
  const auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) return false;
  out.clear();
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int quad[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = text[i + static_cast<std::size_t>(j)];
      if (c == '=' && i + 4 == text.size() && j >= 2) {
        quad[j] = 0;
        ++pad;
      } else if (pad != 0 || (quad[j] = value(c)) < 0) {
        return false;
      }
    }
    const std::uint32_t bits =
        (static_cast<std::uint32_t>(quad[0]) << 18) | (static_cast<std::uint32_t>(quad[1]) << 12) |
        (static_cast<std::uint32_t>(quad[2]) << 6) | static_cast<std::uint32_t>(quad[3]);
    out += static_cast<char>((bits >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((bits >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(bits & 0xff);
  }
  return true;
}

bool parseNumber(std::string_view text, std::int64_t& out) {
  if (text.starts_with('+')) text.remove_prefix(1);
  int base = 10;
  if (text.starts_with("0x") || text.starts_with("0X")) {
    text.remove_prefix(2);
    base = 16;
  }
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && end == text.data() + text.size();
}

bool numericType(FieldType type) {
  return type == FieldType::UInt64 || type == FieldType::Int64 || type == FieldType::AbsTime ||
         type == FieldType::RelTime;
}

bool addressType(FieldType type) { return type == FieldType::Ip || type == FieldType::IpNet; }

// An IPv4 or IPv6 address with a prefix length: a literal "10.0.0.0/8", or an address alone
// (the whole length), or a field's value.
struct Cidr {
  int family = 0;  // AF_INET, AF_INET6
  std::array<unsigned char, 16> bytes{};
  int prefix = 0;  // bits

  static std::optional<Cidr> parse(std::string_view text) {
    Cidr out;
    int prefix = -1;
    if (const std::size_t slash = text.find('/'); slash != std::string_view::npos) {
      const std::string_view bits = text.substr(slash + 1);
      const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
      if (ec != std::errc() || end != bits.data() + bits.size() || prefix < 0) return std::nullopt;
      text = text.substr(0, slash);
    }
    const std::string address(text);
    if (inet_pton(AF_INET, address.c_str(), out.bytes.data()) == 1) {
      out.family = AF_INET;
      out.prefix = prefix < 0 ? 32 : prefix;
      if (out.prefix > 32) return std::nullopt;
    } else if (inet_pton(AF_INET6, address.c_str(), out.bytes.data()) == 1) {
      out.family = AF_INET6;
      out.prefix = prefix < 0 ? 128 : prefix;
      if (out.prefix > 128) return std::nullopt;
    } else {
      return std::nullopt;
    }
    return out;
  }

  // Whether `address` (a full-length Cidr) lies in this network.
  [[nodiscard]] bool contains(const Cidr& address) const {
    if (address.family != family) return false;
    const int whole = prefix / 8;
    if (std::memcmp(bytes.data(), address.bytes.data(), static_cast<std::size_t>(whole)) != 0) {
      return false;
    }
    const int rest = prefix % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
    return (bytes[static_cast<std::size_t>(whole)] & mask) ==
           (address.bytes[static_cast<std::size_t>(whole)] & mask);
  }
};

// `/var/run` matches `/var/run` and `/var/run/x` but not `/var/runx`; `*` inside a component
// globs that component.
bool pathMatches(std::string_view pattern, std::string_view path) {
  if (pattern == "/") return path.starts_with('/');
  const auto next = [](std::string_view& rest) {
    while (rest.starts_with('/')) rest.remove_prefix(1);
    const std::size_t slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    return part;
  };
  std::string_view p = pattern;
  std::string_view v = path;
  if (p.starts_with('/') != v.starts_with('/')) return false;
  while (true) {
    const std::string_view want = next(p);
    if (want.empty()) return true;
    const std::string_view have = next(v);
    if (have.empty()) return false;
    if (want.find('*') == std::string_view::npos) {
      if (want != have) return false;
    } else if (fnmatch(std::string(want).c_str(), std::string(have).c_str(), 0) != 0) {
      return false;
    }
  }
}

struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>()(text);
  }
};

// One right-hand literal, prepared for its operator.
struct Literal {
  std::string text;  // as written (bytes for bcontains/bstartswith; folded for icontains)
  std::int64_t number = 0;
  std::shared_ptr<RE2> regex;
  std::optional<Cidr> network;  // Ip and IpNet fields
};

class AndFilter final : public Filter {
 public:
  explicit AndFilter(std::vector<std::unique_ptr<Filter>> children)
      : children_(std::move(children)) {}
  bool eval(EvalContext& context) const override {
    return std::all_of(children_.begin(), children_.end(),
                       [&](const auto& child) { return child->eval(context); });
  }

 private:
  std::vector<std::unique_ptr<Filter>> children_;
};

class OrFilter final : public Filter {
 public:
  explicit OrFilter(std::vector<std::unique_ptr<Filter>> children)
      : children_(std::move(children)) {}
  bool eval(EvalContext& context) const override {
    return std::any_of(children_.begin(), children_.end(),
                       [&](const auto& child) { return child->eval(context); });
  }

 private:
  std::vector<std::unique_ptr<Filter>> children_;
};

class NotFilter final : public Filter {
 public:
  explicit NotFilter(std::unique_ptr<Filter> child) : child_(std::move(child)) {}
  bool eval(EvalContext& context) const override { return !child_->eval(context); }

 private:
  std::unique_ptr<Filter> child_;
};

// field op value: the one comparison node.
class CheckFilter final : public Filter {
 public:
  FieldRef field;
  Op op = Op::Exists;
  std::string modifier;           // oneof | anyof | allof | ""
  std::vector<Literal> literals;  // String: one; List / modifier: many
  std::unordered_set<std::string, TransparentHash, std::equal_to<>> set;  // in, intersects
  std::optional<FieldRef> rhs_field;
  FieldType type = FieldType::Str;
  std::size_t memo = 0;    // the comparison's slot: identical comparisons share it
  bool any_value = false;  // kAnyValue: `in` holds when one value is in the set
  std::shared_ptr<const IntelHandle> intel;  // in / intersects a threat-intel set

  bool eval(EvalContext& context) const override {
    return context.remember(memo, [&] { return evaluate(context); });
  }

 private:
  bool evaluate(EvalContext& context) const {
    const auto values = context.values(field);
    if (op == Op::Exists) return !values.empty();
    if (values.empty()) return false;
    if (rhs_field) {
      const auto other = context.values(*rhs_field);
      if (other.empty()) return false;
      if (op == Op::In || op == Op::Intersects) {
        const auto found = [&](std::string_view value) {
          return std::find(other.begin(), other.end(), value) != other.end();
        };
        return op == Op::In ? std::all_of(values.begin(), values.end(), found)
                            : std::any_of(values.begin(), values.end(), found);
      }
      Literal literal{std::string(other.front()), 0, nullptr, std::nullopt};
      if (numericType(type) && !parseNumber(literal.text, literal.number)) return false;
      if (addressType(type) && !(literal.network = Cidr::parse(literal.text))) return false;
      if (op == Op::IContains) literal.text = lowered(literal.text);
      return compare(values.front(), literal);
    }
    if (intel) {
      // One load of the set for the whole comparison: a reload mid-way cannot mix two sets.
      const auto set = intel->current();
      const auto member = [&](std::string_view value) { return set->contains(value); };
      if (field.list && op == Op::In && !any_value) {
        return std::all_of(values.begin(), values.end(), member);
      }
      return std::any_of(values.begin(), values.end(), member);
    }
    if (op == Op::In || op == Op::Intersects) {
      const auto member = [&](std::string_view value) { return inSet(value); };
      if (field.list && op == Op::In && !any_value) {
        return std::all_of(values.begin(), values.end(), member);
      }
      return std::any_of(values.begin(), values.end(), member);
    }
    if (op == Op::PMatch) {
      return std::any_of(values.begin(), values.end(), [&](std::string_view value) {
        return std::any_of(literals.begin(), literals.end(), [&](const Literal& literal) {
          return pathMatches(literal.text, value);
        });
      });
    }
    // `fd.ip != 127.0.0.1` means neither end is, as in Falco: for an any-value field `!=`
    // holds when no value is equal.
    if (any_value && op == Op::Ne && modifier.empty()) {
      return std::none_of(values.begin(), values.end(),
                          [&](std::string_view value) { return equalsOne(value); });
    }
    // A list field under a scalar operator holds when any of its values does (Falco 0.34
    // accepts `ka.req.role.rules.resources contains "pods/exec"`).
    return std::any_of(values.begin(), values.end(),
                       [&](std::string_view value) { return compareOne(value); });
  }

  bool inSet(std::string_view value) const {
    if (intel) return intelSet().contains(value);
    if (addressType(type)) {
      const auto address = Cidr::parse(value);
      if (!address) return false;
      return std::any_of(literals.begin(), literals.end(), [&](const Literal& literal) {
        return literal.network && literal.network->contains(*address);
      });
    }
    if (numericType(type)) {
      std::int64_t number = 0;
      if (!parseNumber(value, number)) return false;
      return std::any_of(literals.begin(), literals.end(),
                         [&](const Literal& literal) { return literal.number == number; });
    }
    return set.find(value) != set.end();
  }

  const IntelSet& intelSet() const { return *intel->current(); }

  // `value` equals the literal (for an address field: lies in its network).
  bool equalsOne(std::string_view value) const {
    if (addressType(type)) {
      const auto address = Cidr::parse(value);
      return address && literals.front().network && literals.front().network->contains(*address);
    }
    if (numericType(type)) {
      std::int64_t number = 0;
      return parseNumber(value, number) && number == literals.front().number;
    }
    return value == literals.front().text;
  }

  bool compareOne(std::string_view value) const {
    if (modifier.empty()) return compare(value, literals.front());
    std::size_t matched = 0;
    for (const Literal& literal : literals) matched += compare(value, literal) ? 1 : 0;
    if (modifier == "anyof") return matched > 0;
    if (modifier == "allof") return matched == literals.size();
    return matched == 1;  // oneof
  }

  bool compare(std::string_view value, const Literal& literal) const {
    if (addressType(type) && (op == Op::Eq || op == Op::Ne)) {
      const auto address = Cidr::parse(value);
      if (!address || !literal.network) return false;
      return literal.network->contains(*address) == (op == Op::Eq);
    }
    if (numericType(type)) {
      std::int64_t number = 0;
      if (!parseNumber(value, number)) return false;
      switch (op) {
        case Op::Eq: return number == literal.number;
        case Op::Ne: return number != literal.number;
        case Op::Lt: return number < literal.number;
        case Op::Le: return number <= literal.number;
        case Op::Gt: return number > literal.number;
        case Op::Ge: return number >= literal.number;
        default: break;
      }
    }
    const std::string_view rhs = literal.text;
    switch (op) {
      case Op::Eq: return value == rhs;
      case Op::Ne: return value != rhs;
      case Op::Lt: return value < rhs;
      case Op::Le: return value <= rhs;
      case Op::Gt: return value > rhs;
      case Op::Ge: return value >= rhs;
      case Op::Contains:
      case Op::BContains: return value.find(rhs) != std::string_view::npos;
      case Op::IContains: {
        if (rhs.empty()) return true;
        const auto it = std::search(value.begin(), value.end(), rhs.begin(), rhs.end(),
                                    [](char a, char b) { return lower(a) == b; });
        return it != value.end();
      }
      case Op::StartsWith:
      case Op::BStartsWith: return value.starts_with(rhs);
      case Op::EndsWith: return value.ends_with(rhs);
      case Op::Glob:
      case Op::IGlob:
        return fnmatch(literal.text.c_str(), std::string(value).c_str(),
                       op == Op::IGlob ? FNM_CASEFOLD : 0) == 0;
      case Op::Regex:
        return literal.regex &&
               RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *literal.regex);
      default: return false;
    }
  }
};

constexpr std::string_view kTransformers[] = {"tolower", "toupper", "b64", "basename", "len"};

tl::unexpected<CompileError> error(std::size_t offset, std::string message) {
  return tl::unexpected(CompileError{std::move(message), offset});
}

// The intel set a set operator's value names (`in (c2_addresses)` or `in c2_addresses`).
std::shared_ptr<const IntelHandle> intelOf(const Node& node, const IntelRegistry* intel) {
  if (intel == nullptr) return nullptr;
  std::string_view name;
  if (node.value_kind == ValueKind::ListRef) name = node.identifier;
  if (node.value_kind == ValueKind::List && node.values.size() == 1) name = node.values.front();
  const auto found = intel->find(name);
  return found != intel->end() ? found->second : nullptr;
}

tl::expected<std::unique_ptr<Filter>, CompileError> compileCheck(const Node& node,
                                                                 const events::FieldTable& table,
                                                                 FieldSlots& slots,
                                                                 const IntelRegistry* intel) {
  auto field = resolveField(node.field, table, slots);
  if (!field) return tl::unexpected(field.error());
  const auto op = opOf(node.op);
  if (!op) return error(node.offset, fmt::format("unknown operator '{}'", node.op));
  auto check = std::make_unique<CheckFilter>();
  check->memo = slots.checkSlotOf(toString(node));
  check->op = *op;
  check->modifier = node.modifier;
  check->field = std::move(*field);
  check->type = check->field.row->type;
  check->any_value = (check->field.row->flags & field_flag::kAnyValue) != 0;
  if (!check->field.transformers.empty() && check->field.transformers.front() == "len") {
    check->type = FieldType::UInt64;
  }
  const std::string& name = node.field.name;
  if (*op == Op::Exists) return check;
  if (node.value_kind == ValueKind::Field) {
    auto other = resolveField(node.value_field, table, slots);
    if (!other) return tl::unexpected(other.error());
    if (*op == Op::Regex) return error(node.offset, "regex takes a literal, not a field");
    check->rhs_field = std::move(*other);
    return check;
  }
  if (*op == Op::In || *op == Op::Intersects) {
    if (auto set = intelOf(node, intel)) {
      if (numericType(check->type)) {
        return error(node.offset, fmt::format("intel set '{}' cannot hold numbers (field '{}')",
                                              set->def().name, name));
      }
      check->intel = std::move(set);
      return check;
    }
  }
  if (node.value_kind == ValueKind::ListRef) {
    return error(node.offset, fmt::format("'{}' is not a defined list", node.identifier));
  }
  if (isSetOp(*op) && node.value_kind != ValueKind::List) {
    return error(node.offset, fmt::format("'{}' needs a list of values", node.op));
  }
  if ((*op == Op::BContains || *op == Op::BStartsWith) && numericType(check->type)) {
    return error(node.offset, fmt::format("'{}' needs a byte or string field", node.op));
  }
  if (numericType(check->type) &&
      (*op == Op::Contains || *op == Op::IContains || *op == Op::StartsWith ||
       *op == Op::EndsWith || *op == Op::Glob || *op == Op::IGlob || *op == Op::Regex ||
       *op == Op::PMatch)) {
    return error(node.offset,
                 fmt::format("'{}' operator not supported for numeric field '{}'", node.op, name));
  }
  if (addressType(check->type) && *op != Op::Eq && *op != Op::Ne && *op != Op::In &&
      *op != Op::Intersects) {
    return error(node.offset,
                 fmt::format("'{}' operator not supported for address field '{}'", node.op, name));
  }
  for (const std::string& text : node.values) {
    Literal literal{text, 0, nullptr, std::nullopt};
    if (numericType(check->type) && !parseNumber(text, literal.number)) {
      return error(node.offset,
                   fmt::format("'{}' is not a number (field '{}' is numeric)", text, name));
    }
    if (addressType(check->type) && !(literal.network = Cidr::parse(text))) {
      return error(node.offset,
                   fmt::format("'{}' is not an IP address or network (field '{}')", text, name));
    }
    if (*op == Op::IContains) literal.text = lowered(text);
    if ((*op == Op::BContains || *op == Op::BStartsWith) && !decodeHex(text, literal.text)) {
      return error(node.offset, fmt::format("'{}' is not hex bytes ({} takes hex)", text, node.op));
    }
    if (*op == Op::Regex) {
      RE2::Options options;
      options.set_posix_syntax(true);
      options.set_log_errors(false);
      options.set_max_mem(std::int64_t{8} << 20);
      literal.regex = std::make_shared<RE2>(text, options);
      if (!literal.regex->ok()) {
        return error(node.offset,
                     fmt::format("invalid regex '{}': {}", text, literal.regex->error()));
      }
    }
    if (*op == Op::In || *op == Op::Intersects) check->set.insert(text);
    check->literals.push_back(std::move(literal));
  }
  if (check->literals.empty() && !isSetOp(*op)) {
    return error(node.offset, fmt::format("'{}' needs a value", node.op));
  }
  return check;
}

}  // namespace

std::size_t FieldSlots::slotOf(const FieldRef& ref) {
  std::string key = fmt::format("{}[{}]{}", ref.row->name, ref.arg.present ? ref.arg.text : "",
                                ref.arg.present ? "+" : "-");
  for (const auto& transformer : ref.transformers) key += "|" + transformer;
  return fields_.try_emplace(std::move(key), fields_.size()).first->second;
}

std::size_t FieldSlots::checkSlotOf(const std::string& canonical) {
  return checks_.try_emplace(canonical, checks_.size()).first->second;
}

void EvalContext::reset(const events::Event& event, const FieldSlots& slots) {
  event_ = &event;
  ++epoch_;
  if (slots_.size() < slots.size()) slots_.resize(slots.size());
  if (checks_.size() < slots.checks()) checks_.resize(slots.checks());
}

std::span<const std::string_view> EvalContext::values(const FieldRef& ref) {
  Slot& slot = slots_[ref.slot];
  if (slot.epoch == epoch_) return slot.values.items();
  slot.epoch = epoch_;
  slot.values.clear();
  ref.row->extract(*event_, *ref.row, ref.arg, slot.values);
  if (ref.transformers.empty()) return slot.values.items();
  // Innermost transformer first: tolower(basename(x)) takes the basename, then lowers it.
  for (auto it = ref.transformers.rbegin(); it != ref.transformers.rend(); ++it) {
    Values next;
    const std::string_view name = *it;
    if (name == "len") {
      if ((ref.row->flags & field_flag::kList) != 0 && !ref.arg.present) {
        if (!slot.values.empty()) next.own(std::to_string(slot.values.size()));
      } else {
        for (const auto value : slot.values.items()) next.own(std::to_string(value.size()));
      }
    } else {
      for (const auto value : slot.values.items()) {
        std::string out;
        if (name == "tolower") {
          out = lowered(value);
        } else if (name == "toupper") {
          out.assign(value);
          std::transform(out.begin(), out.end(), out.begin(), upper);
        } else if (name == "basename") {
          const std::size_t slash = value.rfind('/');
          out.assign(slash == std::string_view::npos ? value : value.substr(slash + 1));
        } else if (name == "b64") {
          if (!decodeBase64(value, out)) continue;
        }
        next.own(std::move(out));
      }
    }
    slot.values = std::move(next);
  }
  return slot.values.items();
}

tl::expected<FieldRef, CompileError> resolveField(const FieldExpr& expr,
                                                  const events::FieldTable& table,
                                                  FieldSlots& slots, bool allow_unsupported) {
  FieldRef ref;
  std::string dot_arg;
  ref.row = table.resolve(expr.name, &dot_arg);
  if (ref.row == nullptr) {
    return error(expr.offset, fmt::format("unknown field '{}' for source {}", expr.name,
                                          events::toString(table.source)));
  }
  if ((ref.row->flags & field_flag::kUnsupported) != 0 && !allow_unsupported) {
    auto failed = error(expr.offset, fmt::format("field '{}' is not available in this build: no "
                                                 "sensor fills it yet",
                                                 ref.row->name));
    failed.value().unsupported_field = std::string(ref.row->name);
    return failed;
  }
  ref.arg.present = expr.has_arg;
  ref.arg.text = expr.arg;
  if (!dot_arg.empty()) {
    if (expr.has_arg) {
      return error(expr.offset, fmt::format("field '{}' has two arguments", expr.name));
    }
    ref.arg.present = true;
    ref.arg.text = std::move(dot_arg);
  }
  if (auto problem = events::checkFieldArg(*ref.row, ref.arg); !problem.empty()) {
    return error(expr.offset, std::move(problem));
  }
  for (const auto& transformer : expr.transformers) {
    if (std::find(std::begin(kTransformers), std::end(kTransformers), transformer) ==
        std::end(kTransformers)) {
      return error(expr.offset, fmt::format("transformer '{}' is not supported", transformer));
    }
  }
  ref.transformers = expr.transformers;
  const bool list_field = (ref.row->flags & field_flag::kList) != 0 &&
                          !(ref.arg.present && (ref.row->flags & field_flag::kArgIndex) != 0);
  const bool counted = !ref.transformers.empty() && ref.transformers.front() == "len";
  ref.list = list_field && !counted;
  ref.slot = slots.slotOf(ref);
  return ref;
}

tl::expected<std::unique_ptr<Filter>, CompileError> compileFilter(const Node& node,
                                                                  const events::FieldTable& table,
                                                                  FieldSlots& slots,
                                                                  const IntelRegistry* intel) {
  switch (node.kind) {
    case NodeKind::And:
    case NodeKind::Or: {
      std::vector<std::unique_ptr<Filter>> children;
      for (const auto& child : node.children) {
        auto compiled = compileFilter(*child, table, slots, intel);
        if (!compiled) return compiled;
        children.push_back(std::move(*compiled));
      }
      if (node.kind == NodeKind::And) return std::make_unique<AndFilter>(std::move(children));
      return std::make_unique<OrFilter>(std::move(children));
    }
    case NodeKind::Not: {
      auto child = compileFilter(*node.children.front(), table, slots, intel);
      if (!child) return child;
      return std::make_unique<NotFilter>(std::move(*child));
    }
    case NodeKind::Check: return compileCheck(node, table, slots, intel);
    case NodeKind::Macro:
      return error(node.offset, fmt::format("undefined macro '{}'", node.identifier));
  }
  return error(node.offset, "unknown condition node");
}

}  // namespace bulwark::rules
