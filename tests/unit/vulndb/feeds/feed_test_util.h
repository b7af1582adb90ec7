// Helpers for the feed parser tests: collect what a parser delivers and what it reports.
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/diagnostic.h"
#include "model/advisory.h"
#include "testdata.h"
#include "vulndb/feeds/feeds.h"

namespace bulwark::vulndb::feeds::testing {

struct Collected {
  std::vector<model::Advisory> advisories;
  std::unique_ptr<core::Diagnostics> diagnostics = std::make_unique<core::Diagnostics>();
  bool ok = true;
  std::string error;

  AdvisorySink sink() {
    return [this](model::Advisory&& advisory) { advisories.push_back(std::move(advisory)); };
  }

  [[nodiscard]] const model::Advisory* find(std::string_view id) const {
    for (const auto& advisory : advisories) {
      if (advisory.id == id) return &advisory;
    }
    return nullptr;
  }

  // Diagnostics of `kind` (all kinds when empty), as "kind where: detail" lines.
  [[nodiscard]] std::vector<std::string> lines(std::string_view kind = {}) const {
    std::vector<std::string> out;
    for (const auto& d : diagnostics->sorted()) {
      if (kind.empty() || d.kind == kind) out.push_back(d.kind + " " + d.where + ": " + d.detail);
    }
    return out;
  }
};

inline std::filesystem::path vulns() { return bulwark::testing::sharedTestdata() / "scan/vulns"; }

// Parses a fixture path with parseFeedPath and prints the throughput.
inline Collected parsePath(const std::filesystem::path& path) {
  Collected out;
  const auto start = std::chrono::steady_clock::now();
  auto status = parseFeedPath(path, out.sink(), *out.diagnostics);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!status) {
    out.ok = false;
    out.error = status.error().message;
  }
  std::printf("[ perf     ] %s: %zu advisories in %.3f s = %.0f advisories/s\n",
              path.filename().string().c_str(), out.advisories.size(), seconds,
              seconds > 0 ? static_cast<double>(out.advisories.size()) / seconds : 0.0);
  return out;
}

inline Collected parseBytes(ParseFn parse, std::string_view bytes, std::string_view where = "t") {
  Collected out;
  auto status = parse(bytes, where, out.sink(), *out.diagnostics);
  if (!status) {
    out.ok = false;
    out.error = status.error().message;
  }
  return out;
}

// Feeds truncated and byte-flipped variants of `bytes` to `parse`: it must return (an error or
// diagnostics), never crash; a clean prefix must never yield more advisories than the whole.
inline void expectRobust(ParseFn parse, const std::string& bytes) {
  const std::size_t step = std::max<std::size_t>(1, bytes.size() / 97);
  for (std::size_t cut = 0; cut < bytes.size(); cut += step) {
    auto collected = parseBytes(parse, std::string_view(bytes).substr(0, cut));
    if (collected.ok) {
      SUCCEED();
    } else {
      EXPECT_FALSE(collected.error.empty());
    }
  }
  std::string flipped = bytes;
  for (std::size_t i = 0; i < flipped.size(); i += step) {
    flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
    auto collected = parseBytes(parse, flipped);
    if (!collected.ok) {
      EXPECT_FALSE(collected.error.empty());
    }
  }
}

}  // namespace bulwark::vulndb::feeds::testing
