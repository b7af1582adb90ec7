#include "image/layer.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "core/text.h"
#include "image/decompress.h"
#include "image/read_ahead.h"

namespace bulwark::image {

using core::ErrorCode;

namespace {

constexpr std::size_t kReadChunk = 1U << 20;
constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

// Feeds libarchive from a ByteStream and enforces the byte limit.
struct Feed {
  ByteStream* stream = nullptr;
  std::vector<char> buffer = std::vector<char>(kReadChunk);
  std::uint64_t total = 0;
  std::uint64_t limit = 0;
  std::optional<core::Error> error;
  bool eof = false;  // the stream has ended
};

la_ssize_t feedRead(struct archive* archive, void* client, const void** out) {
  auto* feed = static_cast<Feed*>(client);
  auto got = feed->stream->read(feed->buffer.data(), feed->buffer.size());
  if (!got) {
    feed->error = got.error();
    archive_set_error(archive, EIO, "%s", got.error().message.c_str());
    return -1;
  }
  if (*got == 0) feed->eof = true;
  feed->total += *got;
  if (feed->total > feed->limit) {
    feed->error = core::Error{ErrorCode::Limit,
                              fmt::format("uncompressed layer exceeds {} bytes", feed->limit)};
    archive_set_error(archive, EFBIG, "layer too large");
    return -1;
  }
  *out = feed->buffer.data();
  return static_cast<la_ssize_t>(*got);
}

class ProgressStream final : public ByteStream {
 public:
  ProgressStream(std::unique_ptr<ByteStream> inner, core::Progress* progress)
      : inner_(std::move(inner)), progress_(progress) {}
  core::Result<std::size_t> read(char* buffer, std::size_t size) override {
    auto got = inner_->read(buffer, size);
    if (got) progress_->advance(*got);
    return got;
  }

 private:
  std::unique_ptr<ByteStream> inner_;
  core::Progress* progress_;
};

struct ArchiveCloser {
  void operator()(struct archive* archive) const { archive_read_free(archive); }
};

// One pass over a layer. `keep_exact` adds paths to keep whatever the filter says (the targets
// of hard links found in a first pass).
struct Pass {
  const LayerInput& input;
  const PathFilter& filter;
  const LayerLimits& limits;
  core::Diagnostics& diagnostics;
  core::Progress* progress;
  const std::set<std::string, std::less<>>* keep_exact = nullptr;
  bool first_pass = true;
  ScanPool* pool = nullptr;  // where content scanners run; nullptr: here

  LayerChanges changes;
  std::map<std::string, std::size_t, std::less<>> kept_index;  // path → entries index
  std::vector<std::pair<std::string, std::string>> hardlinks;  // link path → target path
  std::uint64_t kept_bytes = 0;
  std::uint64_t symlinks = 0;

  core::Status run() {
    auto raw = input.open();
    if (!raw) return core::withContext(raw.error(), input.name);
    DigestingStream* digesting = nullptr;
    std::unique_ptr<ByteStream> stored = std::move(*raw);
    // The progress bar counts stored (compressed) bytes: what the layer sizes add up to.
    if (progress != nullptr && first_pass) {
      stored = std::make_unique<ProgressStream>(std::move(stored), progress);
    }
    if (!input.digest.empty()) {
      auto wrapped = std::make_unique<DigestingStream>(std::move(stored), input.digest);
      digesting = wrapped.get();
      stored = std::move(wrapped);
    }
    // Reading and hashing the stored bytes run ahead on a thread of their own; this thread
    // inflates and walks the tar.
    auto read_ahead = std::make_unique<ReadAheadStream>(std::move(stored));
    ReadAheadStream* ahead = read_ahead.get();
    auto tar = decompressing(std::move(read_ahead));
    if (!tar) return core::withContext(tar.error(), input.name);
    DigestingStream* diff_digesting = nullptr;
    std::unique_ptr<ByteStream> tar_stream = std::move(*tar);
    if (input.verify_diff_id && !input.diff_id.empty()) {
      auto wrapped = std::make_unique<DigestingStream>(std::move(tar_stream), input.diff_id);
      diff_digesting = wrapped.get();
      tar_stream = std::move(wrapped);
    }
    Feed feed;
    feed.stream = tar_stream.get();
    feed.limit = limits.max_layer_bytes;
    if (auto ok = readTar(feed); !ok) return core::withContext(ok.error(), input.name);
    changes.tar_bytes = feed.total;
    // Drain what libarchive left (end-of-archive blocks, gzip trailer) and verify digests.
    if (diff_digesting != nullptr) {
      if (auto ok = diff_digesting->verify(input.name + " (uncompressed)"); !ok) return ok;
    }
    if (digesting != nullptr) {
      if (diff_digesting == nullptr) {
        // Reading the decompressed stream to its end also checks the gzip/zstd trailer.
        std::vector<char> rest(kReadChunk);
        while (true) {
          auto got = tar_stream->read(rest.data(), rest.size());
          if (!got) return core::withContext(got.error(), input.name);
          if (*got == 0) break;
        }
      }
      ahead->finish();  // the stored stream is this thread's again
      if (auto ok = digesting->verify(input.name); !ok) return ok;
    }
    return {};
  }

  core::Status readTar(Feed& feed) {
    std::unique_ptr<struct archive, ArchiveCloser> archive(archive_read_new());
    archive_read_support_format_tar(archive.get());
    archive_read_support_format_gnutar(archive.get());
    if (archive_read_open(archive.get(), &feed, nullptr, feedRead, nullptr) != ARCHIVE_OK) {
      if (feed.error) return tl::unexpected(*feed.error);
      // An empty layer (zero bytes) is valid: nothing changes.
      if (feed.total == 0) return {};
      return core::fail(ErrorCode::Input, "not a tar archive: {}",
                        archive_error_string(archive.get()));
    }
    struct archive_entry* entry = nullptr;
    // Where the last member's content ends in the tar stream. Some writers (umoci among them)
    // end a layer right after the last member's content, without the padding of its final
    // block or the end-of-archive blocks. Go's archive/tar, and so containerd and Docker, read
    // that as a clean end; so does bulwark, but only when that content was complete.
    std::uint64_t content_end = 0;
    while (true) {
      const int status = archive_read_next_header(archive.get(), &entry);
      if (status == ARCHIVE_EOF) break;
      if (status == ARCHIVE_FATAL || status == ARCHIVE_RETRY) {
        if (feed.error) return tl::unexpected(*feed.error);
        if (feed.total == 0) return {};
        if (feed.eof && feed.total >= content_end && feed.total < content_end + 512) break;
        return core::fail(ErrorCode::Input, "corrupt tar: {}", archive_error_string(archive.get()));
      }
      const bool has_content =
          archive_entry_size_is_set(entry) != 0 && archive_entry_hardlink(entry) == nullptr;
      const la_int64_t size = has_content ? std::max<la_int64_t>(0, archive_entry_size(entry)) : 0;
      content_end = static_cast<std::uint64_t>(archive_filter_bytes(archive.get(), 0)) +
                    static_cast<std::uint64_t>(size);
      if (++changes.entry_count > limits.max_entries) {
        return core::fail(ErrorCode::Limit, "more than {} entries", limits.max_entries);
      }
      if (auto ok = onEntry(archive.get(), entry, feed); !ok) return ok;
    }
    return {};
  }

  core::Status onEntry(struct archive* archive, struct archive_entry* entry, Feed& feed) {
    const char* raw_path = archive_entry_pathname(entry);
    if (raw_path == nullptr) {
      diagnostics.add("layer.bad-path", input.name, "entry with an unreadable path name");
      return {};
    }
    std::string path;
    if (!normalizePath(raw_path, path)) {
      return core::fail(ErrorCode::Input, "entry '{}' climbs out of the image root",
                        core::printable(raw_path));
    }
    if (path.empty()) return {};  // the root directory itself
    if (raw_path[0] == '/' && first_pass) {
      diagnostics.add("layer.absolute-path", input.name,
                      fmt::format("absolute entry path '{}' taken relative to the root",
                                  core::printable(raw_path)));
    }

    // Whiteouts: ".wh.NAME" deletes NAME below; ".wh..wh..opq" hides the directory's lower
    // contents. Other ".wh..wh." names are aufs bookkeeping and are ignored.
    const auto slash = path.rfind('/');
    const std::string_view base = slash == std::string::npos
                                      ? std::string_view(path)
                                      : std::string_view(path).substr(slash + 1);
    if (base.substr(0, kWhiteoutPrefix.size()) == kWhiteoutPrefix) {
      if (first_pass) {
        const std::string dir = slash == std::string::npos ? std::string() : path.substr(0, slash);
        if (base == kOpaqueMarker) {
          changes.opaque_dirs.push_back(dir);
        } else if (base.substr(0, 8) != ".wh..wh.") {
          const std::string_view name = base.substr(kWhiteoutPrefix.size());
          changes.whiteouts.push_back(dir.empty() ? std::string(name)
                                                  : dir + "/" + std::string(name));
        }
      }
      return {};
    }

    const char* hardlink = archive_entry_hardlink(entry);
    const auto type = archive_entry_filetype(entry);
    const bool wanted = filter.wants(path) || (keep_exact != nullptr && keep_exact->count(path));

    if (hardlink != nullptr) {
      // The content came with the link's target; the link's own path and mode still matter to
      // metadata scanners (a setuid link in tmp/).
      if (first_pass && !filter.scanners().empty()) {
        const ScannedFile linked{path, static_cast<std::uint32_t>(archive_entry_perm(entry)), 0,
                                 layerId()};
        plan.plan(filter, linked, diagnostics, input.name);
        plan.dropContent();
        plan.run(linked, {}, diagnostics, input.name);
      }
      if (!wanted || !first_pass) return {};
      std::string target;
      if (!normalizePath(hardlink, target)) {
        return core::fail(ErrorCode::Input, "hard link '{}' points out of the image root",
                          core::printable(path));
      }
      hardlinks.emplace_back(path, std::move(target));
      return {};
    }

    if (type == AE_IFLNK) {
      if (!first_pass) return {};
      if (++symlinks > limits.max_symlinks) {
        return core::fail(ErrorCode::Limit, "more than {} symlinks", limits.max_symlinks);
      }
      FileEntry file;
      file.type = FileType::Symlink;
      file.mode = static_cast<std::uint32_t>(archive_entry_perm(entry));
      const char* target = archive_entry_symlink(entry);
      file.link_target = target != nullptr ? target : "";
      changes.entries.emplace_back(std::move(path), std::move(file));
      return {};
    }

    const auto mode = static_cast<std::uint32_t>(archive_entry_perm(entry));
    const auto declared = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : 0;
    const std::uint64_t bytes = declared > 0 ? static_cast<std::uint64_t>(declared) : 0;
    // Content scanners see every regular file of the layer, kept or not.
    const ScannedFile scanned{path, mode, bytes, layerId()};
    const bool scanning = type == AE_IFREG && first_pass && !filter.scanners().empty();
    if (scanning) plan.plan(filter, scanned, diagnostics, input.name);
    const bool planned = scanning && !plan.empty();
    const Extractor* extractor = type == AE_IFREG && !wanted && first_pass
                                     ? filter.extractorFor(path, mode, bytes)
                                     : nullptr;
    if (extractor != nullptr || (planned && !wanted)) {
      return summarize(archive, feed, path, scanned, extractor, planned);
    }
    if (type != AE_IFREG || !wanted) {
      // Directories, devices, fifos, unwanted files: only their bytes are skipped.
      if (type == AE_IFDIR && first_pass && filter.wants(path)) {
        FileEntry dir;
        dir.type = FileType::Directory;
        changes.entries.emplace_back(std::move(path), std::move(dir));
      }
      return {};
    }

    FileEntry file;
    file.type = FileType::Regular;
    file.mode = mode;
    file.size = bytes;
    if (file.size > limits.max_file_bytes || kept_bytes + file.size > limits.max_kept_bytes) {
      diagnostics.add("layer.file-too-large", input.name + ":" + path,
                      fmt::format("{} bytes, over the {} byte limit; not read", file.size,
                                  limits.max_file_bytes));
      // Not kept, but the content scanners still read it (their own size limits apply).
      if (planned) {
        if (auto fed = feedConsumers(archive, feed, path, scanned, nullptr, true); !fed) {
          return tl::unexpected(fed.error());
        }
      }
    } else {
      file.content.resize(file.size);
      if (auto read = readInto(archive, feed, path, file.content.data(), 0, file.content.size());
          !read) {
        return tl::unexpected(read.error());
      }
      kept_bytes += file.size;
      if (planned) {
        plan.acceptHead(scanned, file.content);
        plan.run(scanned, file.content, diagnostics, input.name, pool);
      }
    }
    kept_index[path] = changes.entries.size();
    changes.entries.emplace_back(std::move(path), std::move(file));
    return {};
  }

  // A file an Extractor or a content scanner wants and the FsView does not keep: read whole
  // into a buffer reused across files, given to them, and only the extractor's summary kept.
  // With an extractor the entry is recorded even when there is no summary, so that it hides
  // what a lower layer had at the same path.
  // `scanned` views `path`, which is moved from only at the end.
  core::Status summarize(struct archive* archive, Feed& feed, std::string& path,
                         const ScannedFile& scanned, const Extractor* extractor, bool planned) {
    FileEntry file;
    file.type = FileType::Regular;
    file.mode = scanned.mode;
    file.size = scanned.size;
    if (extractor != nullptr) {
      file.extracted_by = extractor->name;
      if (file.size > extractor->max_file_bytes) {
        diagnostics.add(
            "layer.file-too-large", input.name + ":" + path,
            fmt::format("{} bytes, over the {} byte limit of the {} extractor; not read", file.size,
                        extractor->max_file_bytes, extractor->name));
      }
    }
    const Extractor* extract =
        extractor != nullptr && file.size <= extractor->max_file_bytes ? extractor : nullptr;
    auto summary = feedConsumers(archive, feed, path, scanned, extract, planned);
    if (!summary) return tl::unexpected(summary.error());
    file.content = std::move(*summary);
    if (extractor != nullptr) changes.entries.emplace_back(std::move(path), std::move(file));
    return {};
  }

  // Reads the current member into the reused buffer for `extractor` (may be null) and, when
  // `planned`, the content scanners of `plan`; runs them and returns the extractor's summary.
  // Only the head is read when neither wants the file after seeing it; nothing is read when
  // neither could want it.
  core::Result<std::string> feedConsumers(struct archive* archive, Feed& feed,
                                          const std::string& path, const ScannedFile& scanned,
                                          const Extractor* extractor, bool planned) {
    std::string summary;
    if (extractor == nullptr && !(planned && plan.wantsContent())) {
      if (planned) {
        plan.dropContent();
        plan.run(scanned, {}, diagnostics, input.name);  // metadata scanners only
      }
      return summary;
    }
    const auto bytes = static_cast<std::size_t>(scanned.size);
    if (buffer_size < bytes) {
      buffer.reset(new char[bytes]);  // uninitialized: every byte is read into before use
      buffer_size = bytes;
    }
    // The head first: a file nobody can want (a script among executables, a binary for a
    // text scanner) is skipped by libarchive at the next header, without being copied.
    const std::size_t head_bytes =
        std::min(bytes, std::max(kExtractorHeadBytes, kScannerHeadBytes));
    auto filled = readData(archive, feed, path, 0, head_bytes);
    if (!filled) return tl::unexpected(filled.error());
    const std::string_view head(buffer.get(), *filled);
    const bool extract =
        extractor != nullptr && (extractor->accepts_head == nullptr ||
                                 extractor->accepts_head(head.substr(0, kExtractorHeadBytes)));
    const bool scan = planned && plan.acceptHead(scanned, head);
    if (extract || scan) {
      filled = readData(archive, feed, path, *filled, bytes);
      if (!filled) return tl::unexpected(filled.error());
      const std::string_view content(buffer.get(), bytes);
      if (extract) summary = runExtractor(*extractor, path, content, diagnostics, input.name);
      if (planned) plan.run(scanned, content, diagnostics, input.name, pool);
    } else if (planned) {
      plan.run(scanned, {}, diagnostics, input.name);  // metadata scanners only
    }
    if (buffer_size > kKeepBufferBytes) {
      buffer.reset();
      buffer_size = 0;
    }
    return summary;
  }

  // The digest the FsView gives this layer's files (FileEntry::layer_digest).
  [[nodiscard]] std::string_view layerId() const {
    return input.digest.empty() ? input.diff_id : input.digest;
  }

  // Reads the current member's bytes [from, to) into `buffer`; a short member is an error.
  core::Result<std::size_t> readData(struct archive* archive, const Feed& feed,
                                     const std::string& path, std::size_t from, std::size_t to) {
    return readInto(archive, feed, path, buffer.get(), from, to);
  }

  // The same into `out` (which holds at least `to` bytes).
  static core::Result<std::size_t> readInto(struct archive* archive, const Feed& feed,
                                            const std::string& path, char* out, std::size_t from,
                                            std::size_t to) {
    std::size_t filled = from;
    while (filled < to) {
      const la_ssize_t got = archive_read_data(archive, out + filled, to - filled);
      if (got < 0) {
        if (feed.error) return tl::unexpected(*feed.error);
        return core::fail(ErrorCode::Input, "corrupt tar data in '{}': {}", core::printable(path),
                          archive_error_string(archive));
      }
      if (got == 0) break;
      filled += static_cast<std::size_t>(got);
    }
    if (filled != to) {
      return core::fail(ErrorCode::Input, "truncated tar entry '{}'", core::printable(path));
    }
    return filled;
  }

  static constexpr std::size_t kKeepBufferBytes = 16U << 20;
  std::unique_ptr<char[]> buffer;  // the file an extractor or a scanner reads, reused
  std::size_t buffer_size = 0;
  ScannerPlan plan;  // which content scanners want the current file
};

}  // namespace

core::Result<LayerChanges> walkLayer(const LayerInput& input, const PathFilter& filter,
                                     const LayerLimits& limits, core::Diagnostics& diagnostics,
                                     core::Progress* progress, ScanPool* pool) {
  Pass pass{input, filter, limits, diagnostics, progress};
  pass.pool = pool;
  if (auto ok = pass.run(); !ok) return tl::unexpected(ok.error());

  // Hard links to wanted paths take the content of their target. The target precedes the
  // link in the same tar; when it was not kept, a second pass reads just those targets.
  std::set<std::string, std::less<>> missing;
  for (const auto& [link, target] : pass.hardlinks) {
    if (!pass.kept_index.count(target)) missing.insert(target);
  }
  std::map<std::string, FileEntry, std::less<>> second;
  if (!missing.empty()) {
    Pass again{input, PathFilter({}), limits, diagnostics, nullptr, &missing, false};
    if (auto ok = again.run(); !ok) return tl::unexpected(ok.error());
    for (auto& [path, entry] : again.changes.entries) second.emplace(path, std::move(entry));
  }
  for (const auto& [link, target] : pass.hardlinks) {
    const FileEntry* source = nullptr;
    if (const auto it = pass.kept_index.find(target); it != pass.kept_index.end()) {
      source = &pass.changes.entries[it->second].second;
    } else if (const auto it2 = second.find(target); it2 != second.end()) {
      source = &it2->second;
    }
    if (source == nullptr) {
      diagnostics.add(
          "layer.dangling-hardlink", input.name + ":" + link,
          fmt::format("hard link target '{}' is not in this layer", core::printable(target)));
      continue;
    }
    pass.changes.entries.emplace_back(link, *source);
  }
  return std::move(pass.changes);
}

void applyLayer(FsView& view, LayerChanges&& changes, const std::string& layer_digest) {
  for (const auto& path : changes.whiteouts) view.erase(path);
  for (const auto& dir : changes.opaque_dirs) view.eraseBelow(dir);
  for (auto& [path, entry] : changes.entries) {
    // Symlinks only steer path resolution; the files they lead to carry the layer.
    if (entry.type != FileType::Symlink) entry.layer_digest = layer_digest;
    view.put(std::move(path), std::move(entry));
  }
}

}  // namespace bulwark::image
