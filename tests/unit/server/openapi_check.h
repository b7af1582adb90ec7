// A small checker of HTTP answers against docs/openapi.yaml, for the server tests: the operation
// exists, the status is documented, and a JSON body matches the documented schema for the subset
// of OpenAPI 3.0 the file uses (type, nullable, required, properties, items, enum, allOf, $ref to
// components).
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace bulwark::testing {

class OpenApi {
 public:
  // Loads the YAML file (throws on a missing or malformed file: a test setup failure).
  explicit OpenApi(const std::filesystem::path& file);

  // Every (METHOD, path template) the file documents: {"GET", "/api/v1/jobs/{id}"}.
  [[nodiscard]] std::set<std::pair<std::string, std::string>> operations() const;

  // The path template a concrete path matches ("/api/v1/jobs/7" → "/api/v1/jobs/{id}").
  [[nodiscard]] std::optional<std::string> matchPath(const std::string& path) const;

  // Problems with one answer; empty when it conforms. `path` is the concrete request path
  // (without the query).
  [[nodiscard]] std::vector<std::string> checkResponse(const std::string& method,
                                                       const std::string& path, int status,
                                                       const std::string& content_type,
                                                       const std::string& body) const;

  // Problems of `value` against `schema` (for tests of the checker itself).
  [[nodiscard]] std::vector<std::string> checkSchema(const nlohmann::json& schema,
                                                     const nlohmann::json& value) const;

  [[nodiscard]] const nlohmann::json& document() const { return doc_; }

 private:
  void check(const nlohmann::json& schema, const nlohmann::json& value, const std::string& where,
             std::vector<std::string>& errors, int depth) const;
  [[nodiscard]] const nlohmann::json& resolve(const nlohmann::json& node) const;

  nlohmann::json doc_;
};

}  // namespace bulwark::testing
