#include "openapi_check.h"

#include <stdexcept>

#include <yaml-cpp/yaml.h>

namespace bulwark::testing {
namespace {

using Json = nlohmann::json;

// YAML → JSON: plain (unquoted) scalars become booleans, integers and null where they read as
// such; quoted scalars stay strings.
Json toJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& entry : node) out[entry.first.as<std::string>()] = toJson(entry.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(toJson(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string text = node.Scalar();
      if (node.Tag() == "?") {
        if (text == "true") return true;
        if (text == "false") return false;
        if (text == "null" || text == "~") return nullptr;
        if (!text.empty() && text.find_first_not_of("-0123456789") == std::string::npos &&
            text != "-") {
          return std::stoll(text);
        }
      }
      return text;
    }
    default: return nullptr;
  }
}

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

OpenApi::OpenApi(const std::filesystem::path& file) {
  doc_ = toJson(YAML::LoadFile(file.string()));
  if (!doc_.contains("paths")) throw std::runtime_error("no paths in " + file.string());
}

std::set<std::pair<std::string, std::string>> OpenApi::operations() const {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& [path, item] : doc_["paths"].items()) {
    for (const char* method : {"get", "post", "put", "delete", "patch"}) {
      if (item.contains(method)) {
        std::string upper(method);
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        out.emplace(upper, path);
      }
    }
  }
  return out;
}

std::optional<std::string> OpenApi::matchPath(const std::string& path) const {
  const auto segments = splitPath(path);
  for (const auto& [pattern, item] : doc_["paths"].items()) {
    const auto want = splitPath(pattern);
    if (want.size() != segments.size()) continue;
    bool ok = true;
    for (std::size_t i = 0; i < want.size() && ok; ++i) {
      const bool param = want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}';
      ok = param ? !segments[i].empty() : want[i] == segments[i];
    }
    if (ok) return pattern;
  }
  return std::nullopt;
}

const Json& OpenApi::resolve(const Json& node) const {
  const Json* current = &node;
  for (int hops = 0; hops < 16 && current->is_object() && current->contains("$ref"); ++hops) {
    std::string ref = (*current)["$ref"].get<std::string>();
    if (ref.rfind("#/", 0) != 0) throw std::runtime_error("external $ref " + ref);
    current = &doc_.at(Json::json_pointer(ref.substr(1)));
  }
  return *current;
}

std::vector<std::string> OpenApi::checkResponse(const std::string& method, const std::string& path,
                                                int status, const std::string& content_type,
                                                const std::string& body) const {
  std::vector<std::string> errors;
  const std::string where = method + " " + path + " → " + std::to_string(status);
  auto pattern = matchPath(path);
  if (!pattern) return {where + ": path not in the OpenAPI file"};
  const Json& item = doc_["paths"][*pattern];
  const std::string op_key = lower(method);
  if (!item.contains(op_key)) return {where + ": method not documented for " + *pattern};
  const Json& responses = item[op_key]["responses"];
  const std::string code = std::to_string(status);
  if (!responses.contains(code)) return {where + ": status not documented"};
  const Json& response = resolve(responses[code]);
  if (!response.contains("content")) {
    if (!body.empty()) errors.push_back(where + ": a body where none is documented");
    return errors;
  }
  const Json& content = response["content"];
  if (content.contains("application/json")) {
    if (content_type.rfind("application/json", 0) != 0) {
      errors.push_back(where + ": content type " + content_type + ", want application/json");
      return errors;
    }
    Json value = Json::parse(body, nullptr, false);
    if (value.is_discarded()) {
      errors.push_back(where + ": body is not JSON");
      return errors;
    }
    check(content["application/json"]["schema"], value, where + " $", errors, 0);
  } else if (content.contains("text/plain")) {
    if (content_type.rfind("text/plain", 0) != 0) {
      errors.push_back(where + ": content type " + content_type + ", want text/plain");
    }
  }
  return errors;
}

std::vector<std::string> OpenApi::checkSchema(const Json& schema, const Json& value) const {
  std::vector<std::string> errors;
  check(schema, value, "$", errors, 0);
  return errors;
}

void OpenApi::check(const Json& schema_node, const Json& value, const std::string& where,
                    std::vector<std::string>& errors, int depth) const {
  if (depth > 32) {
    errors.push_back(where + ": schema too deep");
    return;
  }
  const Json& schema = resolve(schema_node);
  if (value.is_null() && schema.value("nullable", false)) return;
  if (schema.contains("allOf")) {
    for (const auto& part : schema["allOf"]) {
      if (value.is_null() && schema.value("nullable", false)) break;
      check(part, value, where, errors, depth + 1);
    }
  }
  if (schema.contains("type")) {
    const std::string type = schema["type"].get<std::string>();
    bool ok = false;
    if (type == "object") ok = value.is_object();
    if (type == "array") ok = value.is_array();
    if (type == "string") ok = value.is_string();
    if (type == "integer") ok = value.is_number_integer();
    if (type == "number") ok = value.is_number();
    if (type == "boolean") ok = value.is_boolean();
    if (!ok) {
      errors.push_back(where + ": " + value.dump().substr(0, 80) + " is not " + type);
      return;
    }
  }
  if (schema.contains("enum")) {
    bool found = false;
    for (const auto& allowed : schema["enum"]) found = found || allowed == value;
    if (!found) errors.push_back(where + ": " + value.dump() + " not in the enum");
  }
  if (value.is_object()) {
    if (schema.contains("required")) {
      for (const auto& key : schema["required"]) {
        if (!value.contains(key.get<std::string>())) {
          errors.push_back(where + ": required property '" + key.get<std::string>() + "' missing");
        }
      }
    }
    if (schema.contains("properties")) {
      for (const auto& [key, property] : schema["properties"].items()) {
        if (value.contains(key)) check(property, value[key], where + "." + key, errors, depth + 1);
      }
    }
  }
  if (value.is_array() && schema.contains("items")) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      check(schema["items"], value[i], where + "[" + std::to_string(i) + "]", errors, depth + 1);
    }
  }
}

}  // namespace bulwark::testing
