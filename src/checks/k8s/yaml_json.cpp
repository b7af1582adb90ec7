// YAML → JSON for manifests: libyaml's event parser (the C parser go-yaml, and so kubectl, was
// ported from; several times faster than yaml-cpp on large streams) drives a small builder, so
// no YAML node graph is built, limits stop a document while it is being parsed (a deep or
// exploding document costs no more than the limits allow), and each element map's position is
// known for line numbers in evidence.
#include "checks/k8s/yaml_json.h"

#include <yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <functional>
#include <iterator>
#include <limits>
#include <new>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

namespace bulwark::checks::k8s {

namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxKeyInMessage = 80;
// The standard tags whose text go-yaml resolves as it does an untagged plain scalar's
// (`!!int 0x10` is 16); every other tag (`!!str`, `!`, `!custom`) keeps the text as written.
constexpr std::array<std::string_view, 4> kResolvedTags = {
    "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null"};
constexpr std::string_view kMergeKey = "<<";

bool isNullText(std::string_view text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

std::optional<bool> yaml11Bool(std::string_view text) {
  static constexpr std::array<std::string_view, 11> kTrue = {
      "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"};
  static constexpr std::array<std::string_view, 11> kFalse = {
      "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"};
  if (std::find(kTrue.begin(), kTrue.end(), text) != kTrue.end()) return true;
  if (std::find(kFalse.begin(), kFalse.end(), text) != kFalse.end()) return false;
  return std::nullopt;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool yamlStyleFloat(std::string_view s) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && isDigit(s[i])) ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

// Go's strconv.ParseInt(s, 0, 64), then ParseUint for what only fits unsigned.
std::optional<Json> goInteger(std::string_view s) {
  bool negative = false;
  bool had_sign = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    had_sign = true;
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  int base = 10;
  if (s.front() == '0') {
    const char prefix = s.size() >= 3 ? static_cast<char>(std::tolower(s[1])) : '\0';
    if (prefix == 'b' || prefix == 'o' || prefix == 'x') {
      base = prefix == 'b' ? 2 : prefix == 'o' ? 8 : 16;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
      if (s.empty()) return Json(std::int64_t{0});
    }
  }
  std::uint64_t magnitude = 0;
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (error != std::errc() || end != s.data() + s.size()) return std::nullopt;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (magnitude > kMax + 1) return std::nullopt;
    return Json(magnitude == kMax + 1 ? std::numeric_limits<std::int64_t>::min()
                                      : -static_cast<std::int64_t>(magnitude));
  }
  if (magnitude <= kMax) return Json(static_cast<std::int64_t>(magnitude));
  if (had_sign) return std::nullopt;  // ParseUint takes no sign
  return Json(magnitude);
}

std::optional<Json> yamlFloat(std::string_view s) {
  if (!yamlStyleFloat(s)) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (error != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return Json(value);
}

// A key for a message, cut on a character boundary (reasons end up in JSON reports).
std::string shortKey(std::string_view key) {
  if (key.size() <= kMaxKeyInMessage) return std::string(key);
  std::size_t cut = kMaxKeyInMessage;
  while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("{}…", key.substr(0, cut));
}

using Mark = yaml_mark_t;

Mark markOf(const yaml_event_t& event) { return event.start_mark; }

// 0-based, as the rest of bulwark counts: lines at `\n`, columns in bytes.
struct Position {
  std::size_t line = 0;
  std::size_t column = 0;
};

// libyaml counts a line at every break YAML 1.1 knows (a lone CR, NEL, U+2028 too) and columns
// in characters; the document splitter's first_line, editors and yaml-cpp before count lines
// at `\n` and columns in bytes. A mark's character index is converted by walking the text from
// the last mark converted: events come in text order, so a document is walked once.
class Positions {
 public:
  explicit Positions(std::string_view text) : text_(text) {}

  Position at(const Mark& mark) {
    if (mark.index < index_) *this = Positions(text_);  // a failure's earlier mark
    while (index_ < mark.index && byte_ < text_.size()) {
      if (text_[byte_] == '\n') {
        ++line_;
        line_start_ = byte_ + 1;
      }
      ++byte_;
      while (byte_ < text_.size() && (static_cast<unsigned char>(text_[byte_]) & 0xC0) == 0x80) {
        ++byte_;  // continuation bytes: the text is valid UTF-8 (libyaml's reader checked)
      }
      ++index_;
    }
    return {line_, byte_ - line_start_};
  }

 private:
  std::string_view text_;
  std::size_t index_ = 0;  // characters before byte_
  std::size_t byte_ = 0;
  std::size_t line_ = 0;
  std::size_t line_start_ = 0;  // byte offset
};

// libyaml's anchors and tags are NUL-terminated, or null when absent.
std::string_view cString(const yaml_char_t* chars) {
  return chars == nullptr ? std::string_view() : reinterpret_cast<const char*>(chars);
}

std::string_view scalarText(const yaml_event_t& scalar) {
  return {reinterpret_cast<const char*>(scalar.data.scalar.value), scalar.data.scalar.length};
}

// Untagged and plain: the only scalars that can be null, a bool, a number or a merge key.
bool plainUntagged(const yaml_event_t& scalar) {
  return scalar.data.scalar.tag == nullptr && scalar.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

Json scalarValue(const yaml_event_t& scalar) {
  const std::string_view value = scalarText(scalar);
  if (plainUntagged(scalar)) return resolvePlainScalar(value);
  const std::string_view tag = cString(scalar.data.scalar.tag);
  if (std::find(kResolvedTags.begin(), kResolvedTags.end(), tag) != kResolvedTags.end()) {
    return resolvePlainScalar(value);
  }
  // Quoted and block scalars without a tag, `!!str`, and tags go-yaml does not resolve.
  return Json(std::string(value));
}

// Why and where a document fails, before first_line is added; bad bytes have only a line.
struct Failure {
  Position position;
  bool column_known = true;
  std::string message;
};

// One event of the parser, freed however the loop that reads it ends.
class Event {
 public:
  Event() = default;
  ~Event() { yaml_event_delete(&event_); }  // a zeroed event (a failed parse) holds nothing
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  yaml_event_t* get() { return &event_; }
  [[nodiscard]] const yaml_event_t& operator*() const { return event_; }

 private:
  yaml_event_t event_{};
};

// libyaml's parser over the caller's text (read in place, never copied), freed on every path.
class EventParser {
 public:
  explicit EventParser(std::string_view input) : input_(input) {
    if (yaml_parser_initialize(&parser_) == 0) throw std::bad_alloc();
    static constexpr unsigned char kNoBytes[] = "";  // libyaml wants a pointer even for none
    yaml_parser_set_input_string(
        &parser_, input.empty() ? kNoBytes : reinterpret_cast<const unsigned char*>(input.data()),
        input.size());
    // Reader error offsets are then byte offsets, and no BOM switches the text to UTF-16.
    yaml_parser_set_encoding(&parser_, YAML_UTF8_ENCODING);
  }
  ~EventParser() { yaml_parser_delete(&parser_); }
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  // False: the text is not YAML; failure() says why. Out of memory throws, as the builder's
  // own allocations do, so the caller handles both alike.
  bool next(Event& event) {
    if (yaml_parser_parse(&parser_, event.get()) != 0) return true;
    if (parser_.error == YAML_MEMORY_ERROR) throw std::bad_alloc();
    return false;
  }

  // The parser's error as one line. Its messages are fixed texts: none quotes the input.
  [[nodiscard]] Failure failure(Positions& positions, std::size_t first_line) const {
    const std::string_view problem = parser_.problem != nullptr ? parser_.problem : "not YAML";
    if (parser_.error == YAML_READER_ERROR) {
      // Bad bytes: libyaml knows only their offset. Its UTF-8 complaints ("invalid trailing
      // UTF-8 octet", "invalid Unicode character") mean one thing to a user; the other is
      // "control characters are not allowed" (as go-yaml, so kubectl, says too).
      const auto offset =
          static_cast<std::ptrdiff_t>(std::min(parser_.problem_offset, input_.size()));
      const auto line =
          static_cast<std::size_t>(std::count(input_.begin(), input_.begin() + offset, '\n'));
      const bool encoding = problem.find("UTF-8") != std::string_view::npos ||
                            problem.find("Unicode") != std::string_view::npos;
      return {{line, 0}, false, encoding ? std::string("not valid UTF-8") : std::string(problem)};
    }
    if (parser_.context == nullptr) {
      return {positions.at(parser_.problem_mark), true, std::string(problem)};
    }
    // "did not find expected ',' or ']' while parsing a flow sequence that starts on line 10"
    const std::size_t context_line = positions.at(parser_.context_mark).line + first_line + 1;
    return {positions.at(parser_.problem_mark), true,
            fmt::format("{} {} that starts on line {}", problem, parser_.context, context_line)};
  }

 private:
  std::string_view input_;
  yaml_parser_t parser_{};
};

// Builds one document's JSON from parser events. add() returns false at the first node the
// document fails on; failure() then tells where and why.
class Builder {
 public:
  Builder(const YamlLimits& limits, Positions& positions, YamlDocument& out)
      : limits_(limits), positions_(positions), out_(out) {
    stack_.reserve(16);
  }

  bool add(const yaml_event_t& event) {
    switch (event.type) {
      case YAML_SCALAR_EVENT: return scalar(event);
      case YAML_ALIAS_EVENT: return alias(event);
      case YAML_SEQUENCE_START_EVENT:
        return open(markOf(event), cString(event.data.sequence_start.anchor), Json::array());
      case YAML_MAPPING_START_EVENT:
        return open(markOf(event), cString(event.data.mapping_start.anchor), Json::object());
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: return close();
      default:  // stream and document boundaries
        return true;
    }
  }

  [[nodiscard]] const Failure& failure() const { return failure_; }

 private:
  struct Frame {
    Json value;  // an object or an array
    Mark mark;
    std::string anchor;            // empty: none (libyaml never reads an empty anchor)
    std::size_t nodes_before = 0;  // for the size of an anchored collection
    std::size_t marks_before = 0;  // element marks recorded before it opened
    // Maps: the key read whose value is awaited — its slot, inserted (null) when the key was
    // read, or a `<<` whose value is merged at the end with the others in `merges`.
    bool has_key = false;
    bool merge_key = false;
    Json* slot = nullptr;
    Mark key_mark;
    std::vector<Json> merges;
  };
  struct Anchored {
    Json value;
    std::size_t nodes = 0;
    bool open = false;  // a collection still being read: an alias inside it names nothing
  };

  bool fail(const Mark& mark, std::string message) {
    failure_ = {positions_.at(mark), true, std::move(message)};
    return false;
  }

  [[nodiscard]] bool expectingKey() const {
    return !stack_.empty() && stack_.back().value.is_object() && !stack_.back().has_key;
  }

  bool count(std::size_t nodes, const Mark& mark) {
    if (nodes > limits_.max_nodes - std::min(nodes_, limits_.max_nodes)) {
      return fail(mark, fmt::format("more than {} values (aliases expanded)", limits_.max_nodes));
    }
    nodes_ += nodes;
    return true;
  }

  bool scalar(const yaml_event_t& event) {
    const Mark mark = markOf(event);
    const std::string_view anchor = cString(event.data.scalar.anchor);
    if (expectingKey()) {
      if (plainUntagged(event) && isNullText(scalarText(event))) return fail(mark, "a key is null");
      return takeKey(mark, event, anchor);
    }
    if (!count(anchor.empty() ? 1 : 2, mark)) return false;
    Json value = scalarValue(event);
    if (!anchor.empty()) anchors_.insert_or_assign(std::string(anchor), Anchored{value, 1});
    return deliver(std::move(value), mark);
  }

  bool alias(const yaml_event_t& event) {
    const Mark mark = markOf(event);
    const auto it = anchors_.find(std::string(cString(event.data.alias.anchor)));
    if (it == anchors_.end()) return fail(mark, "the referenced anchor is not defined");
    if (expectingKey()) return fail(mark, "an alias is used as a key");
    if (it->second.open) return fail(mark, "an alias names no anchor");  // `&a [*a]`
    if (!count(it->second.nodes, mark)) return false;
    delivered_marks_begin_ = out_.element_marks.size();  // a copy: none of its maps recorded
    return deliver(Json(it->second.value), mark);
  }

  bool takeKey(const Mark& mark, const yaml_event_t& event, std::string_view anchor) {
    Frame& map = stack_.back();
    const std::string_view key = scalarText(event);
    if (plainUntagged(event) && key == kMergeKey) {
      map.merge_key = true;
    } else {
      auto [it, inserted] =
          map.value.get_ref<Json::object_t&>().try_emplace(std::string(key), nullptr);
      if (!inserted) return fail(mark, fmt::format("duplicate key `{}`", shortKey(key)));
      map.slot = &it->second;  // map nodes stay put: the slot survives the frame's moves
    }
    if (!anchor.empty()) {
      anchors_.insert_or_assign(std::string(anchor), Anchored{Json(std::string(key)), 1});
    }
    map.key_mark = mark;
    map.has_key = true;
    return true;
  }

  bool open(const Mark& mark, std::string_view anchor, Json value) {
    if (expectingKey()) return fail(mark, "a key is a map or a list, not a string");
    if (stack_.size() >= limits_.max_depth) {
      return fail(mark, fmt::format("nested deeper than {} levels", limits_.max_depth));
    }
    if (!count(1, mark)) return false;
    const bool element = !stack_.empty() && stack_.back().value.is_array();
    Frame frame;
    frame.value = std::move(value);
    frame.mark = mark;
    if (!anchor.empty()) {
      frame.anchor = anchor;
      // Defined from here on (an alias inside must not find an earlier value of the name).
      anchors_.insert_or_assign(frame.anchor, Anchored{Json(), 0, true});
    }
    frame.nodes_before = nodes_;
    frame.marks_before = out_.element_marks.size();
    // The object's storage stays where it is when the frame's json moves into its parent.
    if (element && frame.value.is_object()) {
      const Position position = positions_.at(mark);
      out_.element_marks.push_back(
          {frame.value.get_ptr<const Json::object_t*>(), position.line + 1, position.column + 1});
    }
    stack_.push_back(std::move(frame));
    return true;
  }

  bool close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    if (frame.value.is_object()) {
      // YAML 1.1 merge: explicit keys win, then earlier merged maps over later ones.
      auto& object = frame.value.get_ref<Json::object_t&>();
      for (auto& merged : frame.merges) {
        for (auto& [key, value] : merged.get_ref<Json::object_t&>()) {
          object.try_emplace(key, std::move(value));
        }
      }
    }
    if (!frame.anchor.empty()) {
      // The copy kept for aliases costs what the value does: an alias bomb then stops after
      // max_nodes values made in all, not max_nodes in the tree plus its anchors' copies.
      const std::size_t nodes = nodes_ - frame.nodes_before;
      if (!count(nodes, frame.mark)) return false;
      anchors_.insert_or_assign(std::move(frame.anchor), Anchored{frame.value, nodes});
    }
    delivered_marks_begin_ = frame.marks_before;
    return deliver(std::move(frame.value), frame.mark);
  }

  bool deliver(Json value, const Mark& mark) {
    if (stack_.empty()) {
      const Position position = positions_.at(mark);
      out_.value = std::move(value);
      out_.line = position.line + 1;
      out_.column = position.column + 1;
      return true;
    }
    Frame& parent = stack_.back();
    if (parent.value.is_array()) {
      parent.value.push_back(std::move(value));
      return true;
    }
    parent.has_key = false;
    if (!parent.merge_key) {
      *parent.slot = std::move(value);
      parent.slot = nullptr;
      return true;
    }
    parent.merge_key = false;
    if (value.is_object()) {
      parent.merges.push_back(std::move(value));
      return true;
    }
    const bool maps = value.is_array() && std::all_of(value.begin(), value.end(),
                                                      [](auto& v) { return v.is_object(); });
    if (!maps) return fail(parent.key_mark, "`<<` merges a map or a list of maps only");
    forgetMarks(value);
    for (auto& item : value) parent.merges.push_back(std::move(item));
    return true;
  }

  // The maps of a merged list are freed after the merge: their positions must not be claimed
  // by later maps allocated at the same addresses. They were recorded after `marks_begin_`.
  void forgetMarks(const Json& maps) {
    std::vector<const void*> freed;
    freed.reserve(maps.size());
    for (const auto& map : maps) freed.push_back(map.get_ptr<const Json::object_t*>());
    std::sort(freed.begin(), freed.end(), std::less<const void*>());
    auto& marks = out_.element_marks;
    const auto tail =
        marks.begin() + static_cast<std::ptrdiff_t>(std::min(delivered_marks_begin_, marks.size()));
    marks.erase(std::remove_if(tail, marks.end(),
                               [&](const YamlDocument::ElementMark& mark) {
                                 return std::binary_search(freed.begin(), freed.end(), mark.map,
                                                           std::less<const void*>());
                               }),
                marks.end());
  }

  const YamlLimits& limits_;
  Positions& positions_;
  YamlDocument& out_;
  std::vector<Frame> stack_;
  std::unordered_map<std::string, Anchored> anchors_;
  std::size_t nodes_ = 0;
  std::size_t delivered_marks_begin_ = 0;  // first mark of the collection being delivered
  Failure failure_;
};

YamlError located(const Failure& failure, std::size_t first_line) {
  return {failure.position.line + first_line + 1,
          failure.column_known ? failure.position.column + 1 : 0, failure.message};
}

}  // namespace

Json resolvePlainScalar(std::string_view text) {
  if (isNullText(text)) return nullptr;
  if (const auto flag = yaml11Bool(text)) return *flag;
  const char first = text.front();
  if (first == '.') {
    if (auto number = yamlFloat(text)) return *std::move(number);
  } else if (isDigit(first) || first == '+' || first == '-') {
    // go-yaml drops every `_` before reading a number ("1_000" is 1000).
    std::string plain;
    std::string_view digits = text;
    if (text.find('_') != std::string_view::npos) {
      plain.reserve(text.size());
      std::copy_if(text.begin(), text.end(), std::back_inserter(plain),
                   [](char c) { return c != '_'; });
      digits = plain;
    }
    if (auto number = goInteger(digits)) return *std::move(number);
    if (auto number = yamlFloat(digits)) return *std::move(number);
  }
  return std::string(text);
}

std::pair<std::size_t, std::size_t> YamlDocument::positionOf(const nlohmann::json& map) const {
  const auto* storage = map.get_ptr<const Json::object_t*>();
  if (storage == nullptr) return {0, 0};
  const void* key = storage;
  const auto it = std::lower_bound(
      element_marks.begin(), element_marks.end(), key,
      [](const ElementMark& mark, const void* p) { return std::less<const void*>()(mark.map, p); });
  if (it == element_marks.end() || it->map != key) return {0, 0};
  return {it->line, it->column};
}

tl::expected<YamlDocument, YamlError> yamlToJson(std::string_view text, const YamlLimits& limits,
                                                 std::size_t first_line) {
  // A byte order mark is no character of the document: columns count from its end.
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  YamlDocument document;
  EventParser parser(text);
  Positions positions(text);
  Builder builder(limits, positions, document);
  for (bool started = false;;) {
    Event event;
    if (!parser.next(event)) {
      return tl::unexpected(located(parser.failure(positions, first_line), first_line));
    }
    const yaml_event_type_t type = (*event).type;
    if (type == YAML_STREAM_END_EVENT) break;
    if (type == YAML_DOCUMENT_START_EVENT) {
      if (started) {
        return tl::unexpected(YamlError{0, 0, "more than one document without a `---` line"});
      }
      started = true;
    }
    if (!builder.add(*event)) return tl::unexpected(located(builder.failure(), first_line));
  }
  if (document.line > 0) document.line += first_line;
  for (auto& mark : document.element_marks) mark.line += first_line;
  std::sort(document.element_marks.begin(), document.element_marks.end(),
            [](const YamlDocument::ElementMark& a, const YamlDocument::ElementMark& b) {
              return std::less<const void*>()(a.map, b.map);
            });
  return document;
}

}  // namespace bulwark::checks::k8s
