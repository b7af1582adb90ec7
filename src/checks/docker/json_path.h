// JSON paths into raw Engine API documents, as check files write them (`path:` of the
// engine-field, container-field and network-field probes):
//
//   path = name { step } ;
//   step = "." name | "[" key "]" | "[" digits "]" | "[*]" | "{*}" | "{keys}" ;
//   name = [A-Za-z0-9_-]+ ;  key = any text but "]"
//
// `[*]` visits every element of an array, `{*}` every value of an object, `{keys}` every key
// of an object (as a string). `[key]` is a member whose name has dots:
// `Options[com.docker.network.bridge.enable_icc]`. JSON null counts as absent.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace bulwark::checks::docker {

class JsonPath {
 public:
  struct Step {
    enum class Kind { Member, Index, Each, Values, Keys };
    Kind kind = Kind::Member;
    std::string name;       // Member
    std::size_t index = 0;  // Index
  };

  // Compiles `text`; the error names the column of the first problem.
  static core::Result<JsonPath> compile(std::string_view text);

  // Every value the path reaches in `doc`, in document order (keys: sorted, as nlohmann's
  // object order). Nothing reached: empty. Null values are skipped. Keys are returned as
  // JSON strings.
  [[nodiscard]] std::vector<nlohmann::json> resolve(const nlohmann::json& doc) const;
  // Like resolve(), each value with the path that reached it, written for people: array
  // elements that are objects with a string `name` as `[name=web]`, others as `[2]`; members
  // as `.key`, or `[key]` when the key has characters a name cannot. `prefix` starts every
  // path ("spec.template.spec"; empty: the path starts at the first member). Null values are
  // skipped; {keys} gives the keys (as JSON strings) with the object's path.
  struct Named {
    std::string path;
    const nlohmann::json* value = nullptr;  // into doc; null for a key (see `key`)
    std::string key;                        // {keys} results
  };
  [[nodiscard]] std::vector<Named> resolveNamed(const nlohmann::json& doc,
                                                std::string_view prefix = {}) const;
  // True when the path has a fan-out step ([*], {*}, {keys}): one observation per element.
  [[nodiscard]] bool fansOut() const;
  [[nodiscard]] const std::string& text() const { return text_; }
  [[nodiscard]] const std::vector<Step>& steps() const { return steps_; }

 private:
  std::string text_;
  std::vector<Step> steps_;
};

// The path of element `index` of the array at `base`, as resolveNamed writes it: `[name=web]`
// for an object with a string `name`, else `[2]`.
std::string elementPath(std::string_view base, const nlohmann::json& element, std::size_t index);

// How a value shows in evidence and compares: strings as they are, booleans "true"/"false",
// integers in decimal, anything else compact JSON cut to 200 characters.
std::string scalarText(const nlohmann::json& value);

}  // namespace bulwark::checks::docker
