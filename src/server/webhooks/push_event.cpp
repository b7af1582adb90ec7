#include "server/webhooks/push_event.h"

#include <algorithm>

#include "image/oci.h"
#include "image/registry/reference.h"

namespace bulwark::server::webhooks {

namespace {

using image::registry::Reference;

// A host the reference grammar always reads as a domain, to validate what follows it.
constexpr std::string_view kProbeHost = "h.invalid/";

}  // namespace

bool isManifestMediaType(std::string_view media_type) {
  return media_type == image::media::kOciManifest || media_type == image::media::kOciIndex ||
         media_type == image::media::kDockerManifest || media_type == image::media::kDockerList;
}

bool validRepository(std::string_view repository) {
  if (repository.empty() || repository.size() > image::registry::kMaxNameLength) return false;
  std::string probe(kProbeHost);
  probe += repository;
  const auto ref = Reference::parse(probe);
  // A ':' or '@' would have been read as a tag or digest: the repository must come back whole.
  return ref && ref->repository == repository && ref->digest.empty() && ref->tag == "latest" &&
         repository.find(':') == std::string_view::npos;
}

bool validDigest(std::string_view digest) { return image::checkDigest(digest).has_value(); }

bool validTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  std::string probe(kProbeHost);
  probe += "r:";
  probe += tag;
  const auto ref = Reference::parse(probe);
  return ref && ref->tag == tag && ref->repository == "r" && ref->digest.empty();
}

bool validHost(std::string_view host) {
  if (host.empty() || host.size() > 253 + 6) return false;
  if (host.find_first_of("/@") != std::string_view::npos) return false;
  // A host without a port and without a dot ("harbor-core") is a domain only for the grammar's
  // first-component rule; give it a port so that the grammar checks it as one.
  const bool has_port = host.back() != ']' && host.rfind(':') != std::string_view::npos &&
                        (host.front() != '[' || host.rfind(':') > host.find(']'));
  std::string probe(host);
  if (!has_port) probe += ":1";
  const std::string domain = probe;
  probe += "/r";
  const auto ref = Reference::parse(probe);
  return ref && ref->domain == domain;
}

bool validRegistryName(std::string_view name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.front() == '-') {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  });
}

namespace detail {

void addEvent(PushEvents& out, PushEvent event) {
  const bool seen = std::any_of(out.events.begin(), out.events.end(), [&](const PushEvent& e) {
    return e.registry == event.registry && e.repository == event.repository &&
           e.digest == event.digest && e.tag == event.tag;
  });
  if (seen) {
    ++out.duplicates;
    return;
  }
  out.events.push_back(std::move(event));
}

void addMalformed(PushEvents& out, std::string where, std::string detail) {
  ++out.malformed;
  if (out.diagnostics.size() < kMaxDiagnosticsPerBody) {
    out.diagnostics.push_back({"webhook.malformed-event", std::move(where), std::move(detail)});
  }
}

}  // namespace detail

}  // namespace bulwark::server::webhooks
