#include "core/diagnostic.h"

#include <algorithm>

namespace bulwark::core {

void Diagnostics::add(std::string kind, std::string where, std::string detail) {
  std::lock_guard lock(mutex_);
  if (forward_) {
    ++forwarded_;
    forward_(Diagnostic{std::move(kind), std::move(where), std::move(detail)});
    return;
  }
  items_.push_back(Diagnostic{std::move(kind), std::move(where), std::move(detail)});
}

void Diagnostics::forward(std::function<void(const Diagnostic&)> to) {
  std::lock_guard lock(mutex_);
  forward_ = std::move(to);
}

void Diagnostics::append(const std::vector<Diagnostic>& more) {
  std::lock_guard lock(mutex_);
  items_.insert(items_.end(), more.begin(), more.end());
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  std::vector<Diagnostic> copy;
  {
    std::lock_guard lock(mutex_);
    copy = items_;
  }
  std::sort(copy.begin(), copy.end());
  return copy;
}

std::size_t Diagnostics::size() const {
  std::lock_guard lock(mutex_);
  return items_.size() + forwarded_;
}

}  // namespace bulwark::core
