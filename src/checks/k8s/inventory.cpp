// The inventory's order (docs/dev/k8s-design.md §1.5: cluster-scoped objects first, then each
// namespace; workloads in controller order before other kinds; then names) and its lookups.
#include "checks/k8s/inventory.h"

#include <algorithm>
#include <set>
#include <tuple>

#include <fmt/format.h>

namespace bulwark::checks::k8s {

namespace {

// Workloads first, in WorkloadKind order; every other kind after them (then by kind name).
int kindRank(const Object& object) {
  return object.workload == WorkloadKind::None ? static_cast<int>(WorkloadKind::Generic) + 1
                                               : static_cast<int>(object.workload);
}

bool before(const Object& a, const Object& b) {
  // Cluster-scoped objects ("_cluster") come before every namespace.
  const bool a_cluster = a.ns.empty();
  const bool b_cluster = b.ns.empty();
  if (a_cluster != b_cluster) return a_cluster;
  return std::forward_as_tuple(a.ns, kindRank(a), a.kind, a.name, a.origin.file, a.origin.document,
                               a.origin.item, a.origin.api_path) <
         std::forward_as_tuple(b.ns, kindRank(b), b.kind, b.name, b.origin.file, b.origin.document,
                               b.origin.item, b.origin.api_path);
}

std::string key(std::string_view kind, std::string_view ns, std::string_view name) {
  return fmt::format("{}/{}/{}", kind, ns, name);
}

}  // namespace

void Inventory::index() {
  std::stable_sort(objects.begin(), objects.end(), before);
  by_kind_.clear();
  by_key_.clear();
  for (const Object& object : objects) {
    by_kind_[object.kind].push_back(&object);
    // The same object in two files: the first in order answers lookups.
    by_key_.try_emplace(key(object.kind, object.ns, object.name), &object);
  }
}

const Object* Inventory::find(std::string_view kind, std::string_view ns,
                              std::string_view name) const {
  const auto it = by_key_.find(key(kind, ns, name));
  return it == by_key_.end() ? nullptr : it->second;
}

std::span<const Object* const> Inventory::ofKind(std::string_view kind) const {
  const auto it = by_kind_.find(kind);
  if (it == by_kind_.end()) return {};
  return it->second;
}

std::vector<std::string> Inventory::namespaces() const {
  std::set<std::string, std::less<>> names;
  for (const Object& object : objects) {
    // An unnamed ("#3") or generated ("team-*") Namespace names no namespace yet.
    if (object.kind_class == KindClass::Namespace && !object.name.empty() &&
        !object.name.starts_with('#') && !object.name.ends_with('*')) {
      names.insert(object.name);
    }
    if (!object.ns.empty()) names.insert(object.ns);
  }
  return {names.begin(), names.end()};
}

std::size_t Inventory::count(KindClass kind_class) const {
  return static_cast<std::size_t>(
      std::count_if(objects.begin(), objects.end(),
                    [&](const Object& object) { return object.kind_class == kind_class; }));
}

}  // namespace bulwark::checks::k8s
