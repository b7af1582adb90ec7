#include "catalog/binary/binary_cataloger.h"

#include <fmt/format.h>

#include "catalog/binary/elf_file.h"
#include "catalog/binary/internal.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

constexpr std::string_view kSummaryHeader = "bulwark-binary 1\n";
constexpr std::string_view kGoVersionTag = "go-version";
constexpr std::string_view kGoModInfoTag = "go-modinfo";
constexpr std::string_view kDepV0Tag = "rust-dep-v0";

void appendRecord(std::string& out, std::string_view tag, std::string_view bytes) {
  if (bytes.empty()) return;
  out += fmt::format("{} {}\n", tag, bytes.size());
  out += bytes;
  out += '\n';
}

}  // namespace

bool wantsBinary(std::string_view /*path*/, std::uint32_t mode, std::uint64_t size) noexcept {
  return (mode & 0111U) != 0 && size >= kMinBinaryBytes && size <= kMaxBinaryBytes;
}

BinarySummary summarizeElf(std::string_view content) {
  BinarySummary summary;
  const auto file = elf::File::parse(content);
  if (!file) return summary;
  binary_detail::findGoBuildInfo(*file, summary);
  if (const elf::Section* section = file->section(".dep-v0")) {
    const std::string_view bytes = file->contents(*section);
    if (bytes.size() <= kMaxDepV0Bytes) summary.rust_dep_v0 = std::string(bytes);
  }
  return summary;
}

std::string encodeBinarySummary(const BinarySummary& summary) {
  if (summary.empty()) return {};
  std::string out(kSummaryHeader);
  appendRecord(out, kGoVersionTag, summary.go_version);
  appendRecord(out, kGoModInfoTag, summary.go_modinfo);
  appendRecord(out, kDepV0Tag, summary.rust_dep_v0);
  return out;
}

std::optional<BinarySummary> decodeBinarySummary(std::string_view summary) {
  if (!summary.starts_with(kSummaryHeader)) return std::nullopt;
  summary.remove_prefix(kSummaryHeader.size());
  BinarySummary out;
  while (!summary.empty()) {
    const auto newline = summary.find('\n');
    if (newline == std::string_view::npos) return std::nullopt;
    const std::string_view line = summary.substr(0, newline);
    const auto space = line.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    const std::string_view tag = line.substr(0, space);
    const auto length = core::parseUnsigned(line.substr(space + 1));
    summary.remove_prefix(newline + 1);
    if (!length || *length >= summary.size() || summary[*length] != '\n') return std::nullopt;
    const std::string_view bytes = summary.substr(0, *length);
    summary.remove_prefix(*length + 1);
    if (tag == kGoVersionTag) {
      out.go_version = std::string(bytes);
    } else if (tag == kGoModInfoTag) {
      out.go_modinfo = std::string(bytes);
    } else if (tag == kDepV0Tag) {
      out.rust_dep_v0 = std::string(bytes);
    }  // unknown tags: from a newer summary format, skipped
  }
  return out;
}

std::string extractBinarySummary(std::string_view /*path*/, std::string_view content) noexcept {
  try {
    return encodeBinarySummary(summarizeElf(content));
  } catch (...) {  // std::bad_alloc: the file is skipped
    return {};
  }
}

namespace {

// Only ELF files can carry Go or Rust build info: scripts are skipped unread.
bool elfHead(std::string_view head) noexcept {
  return head.starts_with(
      "\x7f"
      "ELF");
}

}  // namespace

image::Extractor binaryExtractor() {
  return image::Extractor{kBinaryExtractorName, &wantsBinary, &extractBinarySummary,
                          kMaxBinaryBytes, &elfHead};
}

std::vector<model::Package> parseBinarySummary(std::string_view summary, std::string_view path,
                                               core::Diagnostics& diagnostics) {
  const auto decoded = decodeBinarySummary(summary);
  if (!decoded) {
    diagnostics.add("binary.malformed-summary", std::string(path),
                    "extractor summary is not in the expected format");
    return {};
  }
  std::vector<model::Package> out;
  if (!decoded->go_version.empty()) {
    out = parseGoBuildInfo(decoded->go_version, decoded->go_modinfo, path, diagnostics);
  }
  if (!decoded->rust_dep_v0.empty()) {
    auto crates = parseDepV0(decoded->rust_dep_v0, path, diagnostics);
    out.insert(out.end(), std::make_move_iterator(crates.begin()),
               std::make_move_iterator(crates.end()));
  }
  return out;
}

namespace {

class BinaryCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "binary"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string_view> patterns() const override { return {}; }
  std::vector<image::Extractor> extractors() const override { return {binaryExtractor()}; }
  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    for (const auto& [path, entry] : fs.extracted(kBinaryExtractorName)) {
      for (auto& package : parseBinarySummary(entry->content, path, diagnostics)) {
        package.location.layer_digest = entry->layer_digest;
        packages.push_back(std::move(package));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Cataloger> makeBinaryCataloger() { return std::make_unique<BinaryCataloger>(); }

}  // namespace bulwark::catalog
