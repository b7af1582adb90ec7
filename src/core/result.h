// Result<T>: the return type of everything that can fail (DESIGN.md "Errors").
// An Error is a code users can act on plus one clear line naming what and why.
#pragma once

#include <string>
#include <utility>

#include <fmt/format.h>
#include <tl/expected.hpp>

namespace bulwark::core {

enum class ErrorCode {
  Usage,      // the command line is wrong
  Input,      // the input exists but is unusable (corrupt, malformed, unsupported)
  NotFound,   // a file, blob, tag or manifest does not exist
  Io,         // reading or writing failed
  Network,    // a remote endpoint could not be reached or answered badly
  Auth,       // credentials missing or refused
  Integrity,  // a digest did not match
  Limit,      // a safety limit was hit (size, count, depth)
  Internal,   // a bug: an invariant did not hold
};

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
};

template <class T>
using Result = tl::expected<T, Error>;

using Status = Result<void>;

inline tl::unexpected<Error> fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

template <class... Args>
tl::unexpected<Error> fail(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) {
  return fail(code, fmt::format(format, std::forward<Args>(args)...));
}

// Prefixes an error's message with context ("layer sha256:…: ").
inline tl::unexpected<Error> withContext(Error error, std::string_view context) {
  error.message = fmt::format("{}: {}", context, error.message);
  return tl::unexpected<Error>(std::move(error));
}

}  // namespace bulwark::core
