// Bounded reads of host files under the host root, with errno mapped to a FactState.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "checks/docker/collect/collectors.h"
#include "core/text.h"

namespace bulwark::checks::docker::collect {

FactState stateOfErrno(int error, std::string_view source) {
  FactState state;
  state.source = std::string(source);
  state.detail = std::strerror(error);
  switch (error) {
    case ENOENT:
    case ENOTDIR: state.status = FactStatus::Missing; break;
    case EACCES:
    case EPERM: state.status = FactStatus::PermissionDenied; break;
    default: state.status = FactStatus::Malformed; break;
  }
  return state;
}

std::filesystem::path underRoot(std::string_view host_root, std::string_view path) {
  std::filesystem::path root(host_root.empty() ? std::string_view("/") : host_root);
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return root / std::filesystem::path(path);
}

FileRead readHostFile(const std::filesystem::path& path, std::size_t max_bytes) {
  FileRead read;
  const std::string source = path.string();
  const int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    read.state = stateOfErrno(errno, source);
    return read;
  }
  char buffer[65536];
  bool too_large = false;
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      read.state = stateOfErrno(errno, source);
      ::close(fd);
      read.text.clear();
      return read;
    }
    if (got == 0) break;
    if (read.text.size() + static_cast<std::size_t>(got) > max_bytes) {
      too_large = true;
      break;
    }
    read.text.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  if (too_large) {
    read.text.clear();
    read.state.status = FactStatus::Malformed;
    read.state.detail = "larger than " + std::to_string(max_bytes) + " bytes";
    read.state.source = source;
    return read;
  }
  read.state.status = FactStatus::Ok;
  read.state.source = source;
  return read;
}

std::string hostnameOf(const std::string& host_root) {
  if (host_root != "/") {
    const auto read = readHostFile(underRoot(host_root, "/etc/hostname"), 4096);
    if (read.state.ok()) return std::string(core::trim(read.text));
    return {};
  }
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) return {};
  return buffer;
}

}  // namespace bulwark::checks::docker::collect
