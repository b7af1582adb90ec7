#include "cli/output.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "core/text.h"

namespace bulwark::cli {

bool writeOutput(std::string_view text, const std::string& path) {
  Output out(path);
  out.write(text);
  return out.finish();
}

Output::Output(const std::string& path) : path_(path) {
  if (path.empty() || path == "-") {
    file_ = stdout;
    return;
  }
  owned_ = true;
  struct stat existing {};
  const bool exists = ::lstat(path.c_str(), &existing) == 0;
  if (exists && !S_ISREG(existing.st_mode)) {
    // /dev/null, a FIFO, a symbolic link: written through, as before.
    file_ = std::fopen(path.c_str(), "wb");
    failed_ = file_ == nullptr;
    return;
  }
  // A regular file is written beside the target and renamed over it by finish(): a failed
  // report never replaces a good one with half a file. The mode is the old file's, or what a
  // new file would get under the umask.
  mode_t mode = existing.st_mode & 07777;
  if (!exists) {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  temp_ = path + ".partial-XXXXXX";
  const int fd = ::mkstemp(temp_.data());
  if (fd >= 0) {
    ::fchmod(fd, mode);
    file_ = ::fdopen(fd, "wb");
    if (file_ == nullptr) ::close(fd);
  } else {
    temp_.clear();
  }
  failed_ = file_ == nullptr;
}

Output::~Output() {
  if (!owned_) return;
  if (file_ != nullptr) std::fclose(file_);
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

void Output::write(std::string_view text) {
  if (failed_ || text.empty()) return;
  failed_ = std::fwrite(text.data(), 1, text.size(), file_) != text.size();
}

bool Output::finish() {
  if (file_ != nullptr) {
    failed_ = std::fflush(file_) != 0 || failed_;
    if (owned_) {
      failed_ = std::fclose(file_) != 0 || failed_;
      file_ = nullptr;
      if (!temp_.empty()) {
        failed_ = failed_ || std::rename(temp_.c_str(), path_.c_str()) != 0;
        if (!failed_) temp_.clear();
      }
    }
  }
  // As before streaming: a failed write to stdout (a closed pipe) is not an error of ours.
  if (!failed_ || !owned_) return true;
  std::fprintf(stderr, "bulwark: cannot write %s\n", core::printable(path_).c_str());
  return false;
}

void printDiagnostics(const std::vector<core::Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) {
    std::fprintf(stderr, "bulwark: warning: %s: %s (%s)\n", core::printable(d.where).c_str(),
                 core::printable(d.detail).c_str(), d.kind.c_str());
  }
}

}  // namespace bulwark::cli
