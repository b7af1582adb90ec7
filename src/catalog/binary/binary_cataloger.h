// Packages compiled into executables, read as Trivy reads them:
// - Go (>= 1.13 with modules): the build info the linker embeds (section `.go.buildinfo`, or
//   the start of the first writable segment when section headers are stripped). Go >= 1.18
//   stores two varint-prefixed strings after the 32-byte header; older Go stores pointers to
//   Go string headers, which are followed here through the PT_LOAD segments. Packages: "stdlib"
//   at the Go version ("go1.22.1 X:boringcrypto" -> "v1.22.1"), each `dep` line (a `=>` line
//   replaces the dep above it: the replacement's path and version are reported), and the main
//   module (`mod` line) when it has a version. Versions "(devel)" count as none; a main module
//   built from a checkout (version "(devel)") takes a version stamped with
//   `-ldflags -X ...version=vX.Y.Z` as Trivy does, else it is not reported. Packages without a
//   version (local-directory replacements) are not reported (Trivy lists them with an empty
//   version, which nothing can match).
// - Rust: binaries built with cargo-auditable carry `.dep-v0`, zlib-compressed JSON
//   {"packages":[{"name","version","source","kind","dependencies":[index...],"root"}]}. Every
//   "runtime" package (the default kind) is reported, the root crate included; "build"
//   packages (build scripts, proc macros) are not compiled into the binary and are skipped
//   (Trivy and cargo-audit do the same). `depends` lists the runtime dependencies' names.
//
// The Extractor "binary" sees executables (any x bit, 1 KiB .. 512 MiB) while layers stream
// and keeps only a summary (encodeBinarySummary): a first line "bulwark-binary 1", then records
// "<tag> <decimal length>\n<bytes>\n" with tags "go-version", "go-modinfo" (the text between
// the sentinels) and "rust-dep-v0" (the still-compressed section).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace bulwark::catalog {

std::unique_ptr<Cataloger> makeBinaryCataloger();

inline constexpr std::string_view kBinaryExtractorName = "binary";
inline constexpr std::uint64_t kMinBinaryBytes = 1024;
inline constexpr std::uint64_t kMaxBinaryBytes = std::uint64_t{512} << 20;
inline constexpr std::size_t kMaxGoVersionBytes = 256;
inline constexpr std::size_t kMaxGoModInfoBytes = std::size_t{4} << 20;
inline constexpr std::size_t kMaxDepV0Bytes = std::size_t{4} << 20;       // compressed
inline constexpr std::size_t kMaxDepV0JsonBytes = std::size_t{16} << 20;  // inflated

// The extractor catalog() reads summaries of (kBinaryExtractorName).
image::Extractor binaryExtractor();
bool wantsBinary(std::string_view path, std::uint32_t mode, std::uint64_t size) noexcept;
// The summary of an executable, "" when it is not ELF or holds neither kind of build info.
// Never throws.
std::string extractBinarySummary(std::string_view path, std::string_view content) noexcept;

struct BinarySummary {
  std::string go_version;   // "go1.22.1", empty when not a Go binary
  std::string go_modinfo;   // the module lines, empty when built outside module mode
  std::string rust_dep_v0;  // compressed cargo-auditable JSON, empty when absent
  [[nodiscard]] bool empty() const { return go_version.empty() && rust_dep_v0.empty(); }
};

// Reads the build info out of ELF bytes (no diagnostics: most executables have none).
BinarySummary summarizeElf(std::string_view content);
std::string encodeBinarySummary(const BinarySummary& summary);
std::optional<BinarySummary> decodeBinarySummary(std::string_view summary);

// Go build info: the Go version string and the module text (`go version -m` lines without the
// leading tab). Bad lines become diagnostics "binary.malformed-go-buildinfo".
std::vector<model::Package> parseGoBuildInfo(std::string_view go_version, std::string_view modinfo,
                                             std::string_view path, core::Diagnostics& diagnostics);
// Inflates zlib data, at most `max_output` bytes; nullopt when corrupt or larger.
std::optional<std::string> inflateZlib(std::string_view compressed, std::size_t max_output);
// cargo-auditable JSON (already inflated). Diagnostics "binary.malformed-cargo-auditable".
std::vector<model::Package> parseCargoAuditableJson(std::string_view json, std::string_view path,
                                                    core::Diagnostics& diagnostics);
// A `.dep-v0` section as stored (zlib), inflated with kMaxDepV0JsonBytes as the cap.
std::vector<model::Package> parseDepV0(std::string_view compressed, std::string_view path,
                                       core::Diagnostics& diagnostics);
// Everything a summary holds; a malformed summary is a diagnostic "binary.malformed-summary".
std::vector<model::Package> parseBinarySummary(std::string_view summary, std::string_view path,
                                               core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog
