// What suppression rules (the ignore file, VEX statements) look at and what they decide.
//
// A rule never sees a Finding directly: policy.cpp turns each finding into a Subject (its ids,
// its package as a parsed purl, where the package was found, the target it belongs to), so that
// the ignore file and every VEX format match against the same facts.
//
// Package URLs are compared as OpenVEX's reference implementation (go-vex `PurlMatches`, which
// Trivy uses) does: the pattern is the more general purl; type, namespace and name must be
// equal; a pattern without a version matches every version; every qualifier the pattern states
// must be present with the same value, qualifiers it leaves out are unconstrained; subpaths are
// not compared. Two deliberate extensions, both documented in docs/suppression.md:
//  - a version written with an epoch ("1:6.0.25+dfsg-1", as Canonical's VEX does) matches the
//    installed version with its epoch, even though our purls carry the epoch as a qualifier;
//  - a `distro` qualifier may name the release codename ("jammy", as Canonical's VEX does) where
//    our purls write "ubuntu-22.04".
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "model/finding.h"
#include "model/package.h"
#include "model/purl.h"

namespace bulwark::match {

// The facts about one finding that suppression rules match against.
struct Subject {
  std::string vulnerability_id;
  std::vector<std::string> aliases;
  std::string package_name;
  std::string source_name;
  std::string full_version;  // with the epoch, "1:2.36-9"
  std::string purl_text;     // as bulwark writes it (model::purl)
  model::ParsedPurl purl;    // parsed; type empty when the package has none
  std::string path;          // where the package was found, no leading '/'
  std::string distro_codename;
  const model::Target* target = nullptr;  // the scanned artifact, when known

  // The vulnerability id or one of its aliases equals `id` (case-insensitive, as ids are
  // written in both cases).
  [[nodiscard]] bool hasId(std::string_view id) const;
};

// Does `pattern` (the more general purl, from a rule) cover the subject's package?
bool purlCovers(const model::ParsedPurl& pattern, const Subject& subject);

// Does `pattern` name the scanned artifact itself (an OCI purl whose version is one of the
// image's digests)? Statements about a product that is the image apply to its subcomponents.
bool purlNamesTarget(const model::ParsedPurl& pattern, const Subject& subject);

// Does `cpe` (a CPE 2.2 URI "cpe:/o:redhat:enterprise_linux:9::baseos" or a CPE 2.3 string
// "cpe:2.3:o:redhat:enterprise_linux:9:*:…") name the operating system the subject's package
// was installed from (the `distro` qualifier of its purl, "rhel-9.2")? Known operating systems:
// redhat:enterprise_linux (rhel), canonical:ubuntu_linux, debian:debian_linux,
// alpinelinux:alpine_linux, centos:centos, rocky:rocky, almalinux:almalinux,
// amazon:amazon_linux (amzn). The CPE's version is the release or a prefix of it at a dot
// ("9" names 9.2, "9.0" does not); no version ("", "*", "-") names every release. CSAF VEX
// platforms are CPEs ("RHEL 9" in Red Hat's files): a statement about a component of that
// platform applies to the package only on that release. Layered products (rhel_eus, satellite,
// jboss_core_services, ...) name no operating system.
bool cpeNamesDistro(std::string_view cpe, const Subject& subject);

// Defined with the findings it annotates (reports render it without depending on match/).
using Suppression = model::Suppression;

}  // namespace bulwark::match
