// Diagnostics: bad input that a run survives. Each one is counted and reported;
// the run goes on where it safely can (DESIGN.md "Errors").
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace bulwark::core {

struct Diagnostic {
  std::string kind;    // stable, machine-readable: "dpkg.malformed-record", "layer.unsafe-path"
  std::string where;   // file, layer or record the problem is in
  std::string detail;  // one human sentence

  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
  friend auto operator<=>(const Diagnostic&, const Diagnostic&) = default;
};

// A thread-safe collector. Layers are walked in parallel and report into one sink.
class Diagnostics {
 public:
  void add(std::string kind, std::string where, std::string detail);
  void append(const std::vector<Diagnostic>& more);
  // Sorted, so that output is deterministic whatever order threads reported in.
  [[nodiscard]] std::vector<Diagnostic> sorted() const;
  // Every diagnostic added, forwarded ones included.
  [[nodiscard]] std::size_t size() const;
  // From now on each diagnostic goes to `to` (called under the collector's lock, in the order
  // added) and is counted, not kept: a run that never ends (a followed log, a webhook) reports
  // as it goes in bounded memory.
  void forward(std::function<void(const Diagnostic&)> to);

 private:
  mutable std::mutex mutex_;
  std::function<void(const Diagnostic&)> forward_;
  std::size_t forwarded_ = 0;
  std::vector<Diagnostic> items_;
};

}  // namespace bulwark::core
