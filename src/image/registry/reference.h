// Image references: `[host[:port]/]repo[:tag][@sha256:hex]`, parsed as docker does.
//
// Grammar (after github.com/distribution/reference, restricted to what registries serve):
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [ domain "/" ] component ( "/" component )*
//   domain     := host [ ":" port ]        host := dcomp ( "." dcomp )* | "[" ipv6 "]"
//   dcomp      := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//   component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//   digest     := "sha256:" 64 lower-case hex digits (the only algorithm bulwark accepts)
// The first component is a domain when it contains '.' or ':', is `localhost`, or has an
// upper-case letter; otherwise the registry is docker.io and single-component names gain the
// `library/` prefix. `index.docker.io` is an alias of docker.io. With neither tag nor digest the
// tag is `latest`. A name (domain + path) is at most 255 characters.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace bulwark::image::registry {

inline constexpr std::string_view kDockerHubDomain = "docker.io";
// Where docker.io's Registry API actually answers.
inline constexpr std::string_view kDockerHubApiHost = "registry-1.docker.io";
inline constexpr std::size_t kMaxNameLength = 255;

struct Reference {
  std::string domain;      // "docker.io", "localhost:5000", "[::1]:5000"
  std::string repository;  // "library/debian"
  std::string tag;         // "latest" by default; may be set together with a digest
  std::string digest;      // "sha256:<hex>" or empty

  static core::Result<Reference> parse(std::string_view text);

  // The host[:port] to talk the Registry API to (docker.io → registry-1.docker.io).
  [[nodiscard]] std::string apiHost() const;
  // The digest when present (it pins the content), otherwise the tag.
  [[nodiscard]] std::string manifestReference() const;
  // Fully qualified: "docker.io/library/debian:12@sha256:…".
  [[nodiscard]] std::string str() const;
  // "docker.io/library/debian"
  [[nodiscard]] std::string name() const { return domain + "/" + repository; }

  friend bool operator==(const Reference&, const Reference&) = default;
};

}  // namespace bulwark::image::registry
