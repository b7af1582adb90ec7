// JsonPath: compile the small path language of json_path.h once, resolve it per document.
#include "checks/docker/json_path.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <utility>

#include <fmt/format.h>

namespace bulwark::checks::docker {

namespace {

constexpr std::size_t kMaxPathLength = 4096;
constexpr std::size_t kMaxScalarText = 200;

bool isNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool allDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Columns are 1-based, as editors count them.
tl::unexpected<core::Error> pathError(std::string_view text, std::size_t offset,
                                      std::string_view what) {
  return core::fail(core::ErrorCode::Input, "path \"{}\", column {}: {}", text, offset + 1, what);
}

}  // namespace

core::Result<JsonPath> JsonPath::compile(std::string_view text) {
  if (text.empty()) return core::fail(core::ErrorCode::Input, "path is empty");
  if (text.size() > kMaxPathLength) {
    return core::fail(core::ErrorCode::Limit, "path is longer than {} characters", kMaxPathLength);
  }
  JsonPath path;
  path.text_ = std::string(text);
  std::size_t pos = 0;
  const auto read_name = [&]() -> std::string_view {
    const std::size_t start = pos;
    while (pos < text.size() && isNameChar(text[pos])) ++pos;
    return text.substr(start, pos - start);
  };

  const auto first = read_name();
  if (first.empty()) return pathError(text, 0, "expected a field name ([A-Za-z0-9_-])");
  path.steps_.push_back({Step::Kind::Member, std::string(first), 0});

  while (pos < text.size()) {
    const std::size_t step_start = pos;
    const char c = text[pos];
    if (c == '.') {
      ++pos;
      const auto name = read_name();
      if (name.empty()) return pathError(text, pos, "expected a field name after '.'");
      path.steps_.push_back({Step::Kind::Member, std::string(name), 0});
    } else if (c == '[') {
      const auto close = text.find(']', pos + 1);
      if (close == std::string_view::npos) return pathError(text, step_start, "'[' without ']'");
      const auto key = text.substr(pos + 1, close - pos - 1);
      if (key.empty()) return pathError(text, pos + 1, "empty key in '[]'");
      if (key == "*") {
        path.steps_.push_back({Step::Kind::Each, {}, 0});
      } else if (allDigits(key)) {
        std::size_t index = 0;
        const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
        if (ec != std::errc() || end != key.data() + key.size()) {
          return pathError(text, pos + 1, "index too large");
        }
        path.steps_.push_back({Step::Kind::Index, {}, index});
      } else {
        path.steps_.push_back({Step::Kind::Member, std::string(key), 0});
      }
      pos = close + 1;
    } else if (c == '{') {
      const auto close = text.find('}', pos + 1);
      if (close == std::string_view::npos) return pathError(text, step_start, "'{' without '}'");
      const auto word = text.substr(pos + 1, close - pos - 1);
      if (word == "*") {
        path.steps_.push_back({Step::Kind::Values, {}, 0});
      } else if (word == "keys") {
        path.steps_.push_back({Step::Kind::Keys, {}, 0});
      } else {
        return pathError(text, pos + 1, "expected {*} or {keys}");
      }
      pos = close + 1;
    } else {
      return pathError(text, step_start, "expected '.', '[' or '{'");
    }
  }
  return path;
}

std::vector<nlohmann::json> JsonPath::resolve(const nlohmann::json& doc) const {
  // The frontier holds pointers into `doc`; keys become owned strings. Each step maps distinct
  // nodes to distinct children, so the frontier never outgrows the document.
  std::vector<const nlohmann::json*> frontier{&doc};
  std::vector<nlohmann::json> keys;  // owned results of a {keys} step
  for (std::size_t i = 0; i < steps_.size() && !frontier.empty(); ++i) {
    const auto& step = steps_[i];
    std::vector<const nlohmann::json*> next;
    switch (step.kind) {
      case Step::Kind::Member:
        for (const auto* node : frontier) {
          if (!node->is_object()) continue;
          const auto it = node->find(step.name);
          if (it != node->end()) next.push_back(&*it);
        }
        break;
      case Step::Kind::Index:
        for (const auto* node : frontier) {
          if (node->is_array() && step.index < node->size()) next.push_back(&(*node)[step.index]);
        }
        break;
      case Step::Kind::Each:
        for (const auto* node : frontier) {
          if (!node->is_array()) continue;
          for (const auto& element : *node) next.push_back(&element);
        }
        break;
      case Step::Kind::Values:
        for (const auto* node : frontier) {
          if (!node->is_object()) continue;
          for (const auto& element : *node) next.push_back(&element);
        }
        break;
      case Step::Kind::Keys: {
        std::vector<nlohmann::json> names;
        for (const auto* node : frontier) {
          if (!node->is_object()) continue;
          for (const auto& item : node->items()) names.emplace_back(item.key());
        }
        // A key is a string: a later step can only reach something through it when that step
        // is absent, so the keys are the result when this is the last step and nothing else.
        if (i + 1 == steps_.size()) keys = std::move(names);
        frontier.clear();
        continue;
      }
    }
    frontier = std::move(next);
  }
  if (!keys.empty()) return keys;
  std::vector<nlohmann::json> values;
  values.reserve(frontier.size());
  for (const auto* node : frontier) {
    if (!node->is_null()) values.push_back(*node);
  }
  return values;
}

namespace {

bool plainName(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  });
}

std::string memberPath(std::string_view base, std::string_view key) {
  if (plainName(key)) return base.empty() ? std::string(key) : fmt::format("{}.{}", base, key);
  return fmt::format("{}[{}]", base, key);
}

}  // namespace

std::string elementPath(std::string_view base, const nlohmann::json& element, std::size_t index) {
  if (element.is_object()) {
    const auto it = element.find("name");
    if (it != element.end() && it->is_string()) {
      return fmt::format("{}[name={}]", base, it->get_ref<const std::string&>());
    }
  }
  return fmt::format("{}[{}]", base, index);
}

std::vector<JsonPath::Named> JsonPath::resolveNamed(const nlohmann::json& doc,
                                                    std::string_view prefix) const {
  std::vector<Named> frontier{{std::string(prefix), &doc, {}}};
  for (std::size_t i = 0; i < steps_.size() && !frontier.empty(); ++i) {
    const auto& step = steps_[i];
    std::vector<Named> next;
    for (auto& node : frontier) {
      const nlohmann::json& value = *node.value;
      switch (step.kind) {
        case Step::Kind::Member:
          if (value.is_object()) {
            const auto it = value.find(step.name);
            if (it != value.end()) next.push_back({memberPath(node.path, step.name), &*it, {}});
          }
          break;
        case Step::Kind::Index:
          if (value.is_array() && step.index < value.size()) {
            next.push_back(
                {elementPath(node.path, value[step.index], step.index), &value[step.index], {}});
          }
          break;
        case Step::Kind::Each:
          if (value.is_array()) {
            for (std::size_t e = 0; e < value.size(); ++e) {
              next.push_back({elementPath(node.path, value[e], e), &value[e], {}});
            }
          }
          break;
        case Step::Kind::Values:
          if (value.is_object()) {
            for (const auto& item : value.items()) {
              next.push_back({memberPath(node.path, item.key()), &item.value(), {}});
            }
          }
          break;
        case Step::Kind::Keys:
          // As resolve(): keys are a result only as the last step.
          if (value.is_object() && i + 1 == steps_.size()) {
            for (const auto& item : value.items()) {
              next.push_back({memberPath(node.path, item.key()), nullptr, item.key()});
            }
          }
          break;
      }
    }
    frontier = std::move(next);
  }
  std::erase_if(frontier, [](const Named& n) { return n.value != nullptr && n.value->is_null(); });
  return frontier;
}

bool JsonPath::fansOut() const {
  return std::any_of(steps_.begin(), steps_.end(), [](const Step& step) {
    return step.kind != Step::Kind::Member && step.kind != Step::Kind::Index;
  });
}

std::string scalarText(const nlohmann::json& value) {
  if (value.is_string()) return value.get_ref<const std::string&>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() <= kMaxScalarText) return text;
  // Cut on a UTF-8 character boundary and mark the cut: at most 200 bytes in all.
  constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
  std::size_t cut = kMaxScalarText - kEllipsis.size();
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  text.resize(cut);
  text += kEllipsis;
  return text;
}

}  // namespace bulwark::checks::docker
