// secrets_scan_dir [--config FILE] [--threads N] [--list] DIR: scans every regular file under
// DIR with the secret Scanner, as the layer walker would (wants → head → acceptsHead → whole
// file → scan, several threads), and prints one line of figures (files, bytes, seconds, MB/s,
// findings). --list also prints the findings (redacted); --keywords prints the rules' keyword
// literals, one a line, and exits. Used by benchmarks/secrets_throughput.sh.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "model/advisory.h"
#include "secrets/scanner.h"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::string config;
  std::string dir;
  unsigned threads = std::max(1U, std::thread::hardware_concurrency());
  bool list = false;
  bool keywords = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config = argv[++i];
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = static_cast<unsigned>(std::max(1, std::stoi(argv[++i])));
    } else if (arg == "--list") {
      list = true;
    } else if (arg == "--keywords") {
      keywords = true;
    } else {
      dir = arg;
    }
  }
  if (keywords) {
    auto rules = bulwark::secrets::loadRules(config);
    if (!rules) return 2;
    for (const auto& keyword : (*rules)->keywords()) fmt::print("{}\n", keyword);
    return 0;
  }
  if (dir.empty()) {
    std::fprintf(stderr, "usage: secrets_scan_dir [--config FILE] [--threads N] [--list] DIR\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  auto rules = bulwark::secrets::loadRules(config);
  if (!rules) {
    std::fprintf(stderr, "%s\n", rules.error().message.c_str());
    return 2;
  }
  const auto loaded = std::chrono::steady_clock::now();
  // (path relative to DIR, size), listed once; the relative path is a string suffix.
  std::vector<std::pair<std::string, std::uint64_t>> files;
  std::error_code ec;
  const std::string prefix = fs::path(dir).generic_string();
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    std::string path = it->path().generic_string();
    std::size_t skip = prefix.size();
    while (skip < path.size() && path[skip] == '/') ++skip;
    files.emplace_back(path.substr(skip), it->file_size(ec));
  }
  bulwark::secrets::Scanner scanner(*rules);
  bulwark::core::Diagnostics diagnostics;
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> bytes_read{0};
  const auto work = [&] {
    std::string content;
    for (std::size_t i = next++; i < files.size(); i = next++) {
      const std::string& relative = files[i].first;
      bulwark::image::ScannedFile file{relative, 0644, files[i].second, "dir"};
      if (scanner.wants(file) != bulwark::image::ContentScanner::Want::Content) continue;
      if (file.size > scanner.maxFileBytes()) {
        diagnostics.add("secret.file-too-large", relative, "skipped");
        continue;
      }
      std::ifstream in(fs::path(dir) / relative, std::ios::binary);
      content.resize(static_cast<std::size_t>(file.size));
      in.read(content.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(
                                  file.size, bulwark::image::kScannerHeadBytes)));
      const auto head_bytes = static_cast<std::size_t>(in.gcount());
      if (!scanner.acceptsHead(file, std::string_view(content.data(), head_bytes))) continue;
      in.read(content.data() + head_bytes,
              static_cast<std::streamsize>(content.size() - head_bytes));
      content.resize(head_bytes + static_cast<std::size_t>(in.gcount()));
      bytes_read += content.size();
      scanner.scan(file, content, diagnostics);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work);
  for (auto& thread : pool) thread.join();
  const auto end = std::chrono::steady_clock::now();
  const auto findings = scanner.findings();
  if (list) {
    for (const auto& f : findings) {
      fmt::print("{}:{} {} {} {} | {}\n", f.path, f.line, f.rule_id,
                 bulwark::model::toString(f.severity), f.match, f.excerpt);
    }
  }
  const double seconds = std::chrono::duration<double>(end - loaded).count();
  const double load_ms = std::chrono::duration<double, std::milli>(loaded - start).count();
  fmt::print(
      "files={} files_scanned={} bytes_read={} bytes_scanned={} seconds={:.3f} "
      "mb_per_s={:.1f} findings={} diagnostics={} rules_load_ms={:.1f} threads={}\n",
      files.size(), scanner.filesScanned(), bytes_read.load(), scanner.bytesScanned(), seconds,
      static_cast<double>(bytes_read.load()) / 1e6 / seconds, findings.size(), diagnostics.size(),
      load_ms, threads);
  return 0;
}
