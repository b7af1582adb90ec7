// One YAML document → nlohmann::json, the way the Kubernetes API server sees a manifest
// (sigs.k8s.io/yaml on go-yaml v2: YAML 1.1 scalar resolution), with the limits untrusted
// input needs. docs/dev/k8s-design.md §1.3 step 3.
//
// Scalars: quoted, `!!str` or another non-standard tag → string; plain `~`/`null`/`Null`/
// `NULL`/empty → null; plain `y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|
// false|False|FALSE` → bool; plain integers as Go's ParseInt base 0 reads them after removing
// `_` (decimal, `0x` hex, `0o`/leading-`0` octal, `0b` binary) → int64 (uint64 above it);
// plain YAML-style floats → double; anything else → string. `.inf`/`.nan` stay strings (JSON
// has no such numbers). Maps → objects (keys must be scalars and unique; `<<` merges as YAML
// 1.1 does, explicit keys win), sequences → arrays, aliases expanded. The syntax is libyaml's,
// the parser go-yaml was ported from: what kubectl cannot read (text that is not UTF-8,
// control characters, an unclosed quote) is an error here too.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace bulwark::checks::k8s {

struct YamlLimits {
  std::size_t max_nodes = 2'000'000;  // JSON values produced, aliases expanded
  std::size_t max_depth = 128;        // nested maps and sequences
};

// Positions are 1-based, in the whole text the document was cut from (see first_line); lines
// are counted at `\n` (a lone CR or U+2028 does not start one), columns in bytes.
struct YamlError {
  std::size_t line = 0;    // 0: unknown
  std::size_t column = 0;  // 0: unknown (bad bytes: only their line is known)
  std::string message;     // never quotes a scalar value (a Secret's data must not leak)
};

struct YamlDocument {
  nlohmann::json value;  // null for an empty document
  std::size_t line = 0;  // of the root node
  std::size_t column = 0;

  // Where a map that was a sequence element starts (a container, a volume, a List item);
  // `map` must be a value inside `value` (or moved out of it: the position follows the map's
  // storage, not its owner). {0, 0} when unknown (an alias copy, a map of another document).
  [[nodiscard]] std::pair<std::size_t, std::size_t> positionOf(const nlohmann::json& map) const;

  struct ElementMark {
    const void* map = nullptr;  // the element's object storage
    std::size_t line = 0;
    std::size_t column = 0;
  };
  std::vector<ElementMark> element_marks;  // sorted by `map`
};

// Converts the single document in `text`; `first_line` (0-based) is the line of `text` in the
// whole file, added to every position. More than one document in `text` is an error: the
// caller splits streams at document markers first.
tl::expected<YamlDocument, YamlError> yamlToJson(std::string_view text, const YamlLimits& limits,
                                                 std::size_t first_line = 0);

// The value of one plain (unquoted, untagged) scalar under the rules above.
nlohmann::json resolvePlainScalar(std::string_view text);

}  // namespace bulwark::checks::k8s
