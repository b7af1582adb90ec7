// Text helpers shared by the Python parsers (internal to src/catalog/python/).
#pragma once

#include <string>
#include <string_view>

namespace bulwark::catalog::python {

std::string_view stripUtf8Bom(std::string_view content);

// UTF-16 with a byte order mark (FF FE or FE FF) → UTF-8; anything else is returned unchanged.
// Unpaired surrogates become U+FFFD.
std::string decodeUnicodeText(std::string_view content);

// The PEP 508 name at the start of a requirement: letters, digits, '.', '_', '-'.
std::string_view leadingName(std::string_view requirement);

// PEP 503 normalization: ASCII lower case, every run of '-', '_' and '.' one '-'
// ("Typing_Extensions" and "typing.extensions" → "typing-extensions").
std::string normalizeName(std::string_view name);

// PEP 508 name characters only, not empty.
bool isValidName(std::string_view name);

// A concrete release version as pins write it ("2.0.0", "1!2.0rc1", "v1.0", "1.0+local"):
// starts with a digit (after an optional 'v'), no wildcard, no quotes or operators.
bool isPinnedVersion(std::string_view version);

}  // namespace bulwark::catalog::python
