// file:PATH: appends each alert's line (as --format prints it; line breaks inside a text alert
// as `\n`, `\r`); flushed after every batch, so a reader following the file sees alerts as they
// fire. Opened at start: a path that cannot be written is a usage error, not a stream of
// failures.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "pipeline/sinks/kinds.h"

namespace bulwark::pipeline::sinks {

namespace {

class FileSink final : public Sink {
 public:
  FileSink(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  ~FileSink() override { std::fclose(file_); }
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  Delivery write(const SinkAlert& alert, std::string& error) override {
    // One line per alert: a text alert's rendered fields may hold line breaks (JSON has none).
    std::string line;
    line.reserve(alert.line.size());
    for (const char c : alert.line) {
      if (c == '\n') {
        line += "\\n";
      } else if (c == '\r') {
        line += "\\r";
      } else {
        line.push_back(c);
      }
    }
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() ||
        std::fputc('\n', file_) == EOF) {
      error = path_ + ": " + std::strerror(errno);
      std::clearerr(file_);
      return Delivery::Failed;
    }
    return Delivery::Sent;
  }
  core::Status flush() override {
    if (std::fflush(file_) != 0) {
      return core::fail(core::ErrorCode::Io, "{}: {}", path_, std::strerror(errno));
    }
    return {};
  }

 private:
  std::string path_;
  std::FILE* file_;
};

}  // namespace

core::Result<std::unique_ptr<Sink>> makeFileSink(const SinkSpec& spec) {
  std::FILE* file = std::fopen(spec.path.c_str(), "ae");
  if (file == nullptr) {
    return core::fail(core::ErrorCode::Io, "output '{}': {}", spec.text, std::strerror(errno));
  }
  return std::unique_ptr<Sink>(std::make_unique<FileSink>(spec.path, file));
}

}  // namespace bulwark::pipeline::sinks
