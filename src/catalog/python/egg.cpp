// Python .egg files: zip archives that setuptools' easy_install left in site-packages (or
// anywhere on sys.path). The distribution's core metadata is the member EGG-INFO/PKG-INFO, read
// with libarchive from memory, never written to disk, as Trivy's egg analyzer reads it.
#include <archive.h>
#include <archive_entry.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "catalog/python/python_cataloger.h"
#include "core/archive_member.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

struct ArchiveCloser {
  void operator()(archive* handle) const { archive_read_free(handle); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

// Summary records: one kind byte, a 4-byte little-endian length, that many bytes.
//   'P' the PKG-INFO member's content (at most kMaxPythonEggMetadataBytes)
//   'D' "<diagnostic kind>\n<detail>"
void putRecord(std::string& summary, char kind, std::string_view data) {
  const auto size = static_cast<std::uint32_t>(data.size());
  summary.push_back(kind);
  for (unsigned shift = 0; shift < 32; shift += 8) {
    summary.push_back(static_cast<char>((size >> shift) & 0xFFU));
  }
  summary.append(data);
}

void putProblem(std::string& summary, std::string_view kind, std::string_view detail) {
  putRecord(summary, 'D', fmt::format("{}\n{}", kind, detail));
}

// Trivy's egg files: "EGG-INFO/PKG-INFO" (the .egg layout), and the ".egg-info" forms.
bool isMetadataMember(std::string_view name) {
  return name.ends_with("EGG-INFO/PKG-INFO") || name.ends_with(".egg-info/PKG-INFO") ||
         name.ends_with(".egg-info");
}

}  // namespace

bool isPythonEggName(std::string_view path) noexcept { return path.ends_with(".egg"); }

bool wantsPythonEgg(std::string_view path, std::uint32_t /*mode*/, std::uint64_t size) noexcept {
  return isPythonEggName(path) && size <= kMaxPythonEggFileBytes;
}

std::string summarizePythonEgg(std::string_view /*path*/, std::string_view content) {
  std::string summary;
  try {
    ArchivePtr handle(archive_read_new());
    if (!handle) {
      putProblem(summary, "python.egg-error", "cannot allocate an archive reader");
      return summary;
    }
    archive_read_support_format_zip(handle.get());
    if (archive_read_open_memory(handle.get(), content.data(), content.size()) != ARCHIVE_OK) {
      putProblem(summary, "python.malformed-egg",
                 fmt::format("not a readable zip archive: {}", core::archiveError(handle.get())));
      return summary;
    }
    std::uint64_t entries = 0;
    for (;;) {
      archive_entry* entry = nullptr;
      const int status = archive_read_next_header(handle.get(), &entry);
      if (status == ARCHIVE_EOF) break;
      if (status == ARCHIVE_FATAL || status == ARCHIVE_RETRY || entry == nullptr) {
        putProblem(
            summary, "python.malformed-egg",
            fmt::format("archive ends early or is damaged: {}", core::archiveError(handle.get())));
        return summary;
      }
      if (++entries > kMaxPythonEggEntries) {
        putProblem(summary, "python.egg-limit",
                   fmt::format("more than {} entries before EGG-INFO/PKG-INFO; not read further",
                               kMaxPythonEggEntries));
        return summary;
      }
      if (archive_entry_filetype(entry) != AE_IFREG) continue;
      const std::string name = core::archiveMemberName(entry);
      if (!isMetadataMember(name)) continue;
      // Headers come first and the long description after them: the first
      // kMaxPythonEggMetadataBytes are enough, and a member that inflates beyond them (a zip
      // bomb) is cut there.
      std::string data;
      std::array<char, 16U << 10> buffer{};
      bool truncated = false;
      for (;;) {
        const la_ssize_t got = archive_read_data(handle.get(), buffer.data(), buffer.size());
        if (got < 0) {
          putProblem(summary, "python.malformed-egg",
                     fmt::format("cannot read {}: {}", core::printable(name),
                                 core::archiveError(handle.get())));
          return summary;
        }
        if (got == 0) break;
        const auto size = static_cast<std::size_t>(got);
        if (data.size() + size > kMaxPythonEggMetadataBytes) {
          data.append(buffer.data(), kMaxPythonEggMetadataBytes - data.size());
          truncated = true;
          break;
        }
        data.append(buffer.data(), size);
      }
      if (truncated) {
        putProblem(summary, "python.egg-limit",
                   fmt::format("{} inflates to more than {} bytes (a zip bomb?); only the first "
                               "{} bytes are read",
                               core::printable(name), kMaxPythonEggMetadataBytes,
                               kMaxPythonEggMetadataBytes));
      }
      putRecord(summary, 'P', data);
      return summary;
    }
  } catch (const std::exception& error) {
    // Extractors must not throw (allocation failure is the only way here).
    summary.clear();
    putProblem(summary, "python.egg-error", core::printable(error.what()));
  }
  // An egg without metadata (Trivy skips those too) says nothing.
  return summary;
}

std::vector<model::Package> parsePythonEggSummary(std::string_view summary, std::string_view path,
                                                  core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  while (!summary.empty()) {
    if (summary.size() < 5) {
      diagnostics.add("python.egg-error", std::string(path), "truncated egg summary");
      break;
    }
    const char kind = summary[0];
    std::uint32_t size = 0;
    for (unsigned i = 0; i < 4; ++i) {
      size |= static_cast<std::uint32_t>(static_cast<unsigned char>(summary[1 + i])) << (8 * i);
    }
    summary.remove_prefix(5);
    if (size > summary.size()) {
      diagnostics.add("python.egg-error", std::string(path), "truncated egg summary");
      break;
    }
    const std::string_view data = summary.substr(0, size);
    summary.remove_prefix(size);
    if (kind == 'P') {
      for (auto& package : parsePythonMetadata(data, path, diagnostics)) {
        out.push_back(std::move(package));
      }
    } else if (kind == 'D') {
      const auto newline = data.find('\n');
      if (newline == std::string_view::npos) continue;
      diagnostics.add(std::string(data.substr(0, newline)), std::string(path),
                      std::string(data.substr(newline + 1)));
    }
  }
  return out;
}

std::vector<model::Package> parsePythonEgg(std::string_view content, std::string_view path,
                                           core::Diagnostics& diagnostics) {
  return parsePythonEggSummary(summarizePythonEgg(path, content), path, diagnostics);
}

}  // namespace bulwark::catalog
