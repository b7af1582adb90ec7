// Internal helpers shared by the XML feed parsers (pugixml DOM). Vendors prefix element names
// with namespaces of their own ("red-def:", "linux-def:", "cvrf:", none), so elements are found
// by their local name.
#pragma once

#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "core/text.h"

namespace bulwark::vulndb::feeds::detail {

// The element name without its namespace prefix.
inline std::string_view localName(const pugi::xml_node& node) {
  std::string_view name = node.name();
  if (const auto colon = name.rfind(':'); colon != std::string_view::npos) {
    name.remove_prefix(colon + 1);
  }
  return name;
}

// The first child element called `local` (any prefix), or an empty node.
inline pugi::xml_node child(const pugi::xml_node& node, std::string_view local) {
  for (auto it = node.first_child(); it; it = it.next_sibling()) {
    if (it.type() == pugi::node_element && localName(it) == local) return it;
  }
  return {};
}

// Calls fn(element) for every child element called `local`, in document order.
template <typename Fn>
void forChildren(const pugi::xml_node& node, std::string_view local, Fn&& fn) {
  for (auto it = node.first_child(); it; it = it.next_sibling()) {
    if (it.type() == pugi::node_element && localName(it) == local) fn(it);
  }
}

// The element's own text, trimmed.
inline std::string text(const pugi::xml_node& node) {
  return std::string(core::trim(node.child_value()));
}

// An attribute's value as written ("" when absent).
inline std::string_view attr(const pugi::xml_node& node, const char* name) {
  return node.attribute(name).value();
}

}  // namespace bulwark::vulndb::feeds::detail
