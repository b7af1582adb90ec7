// Package URLs (https://github.com/package-url/purl-spec) for OS packages.
#pragma once

#include <string>

#include "model/package.h"

namespace bulwark::model {

// pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12
// pkg:rpm/redhat/openssl@1.1.1k-9.el8?arch=x86_64&distro=rhel-8.9&epoch=1
// pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1
// Qualifiers are sorted by key, as the spec's canonical form requires.
std::string purl(const Package& package, const Distro& distro);

// Percent-encodes everything but RFC 3986 unreserved characters and '+'.
std::string purlEncode(std::string_view text);

}  // namespace bulwark::model
