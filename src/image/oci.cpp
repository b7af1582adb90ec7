#include "image/oci.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "core/text.h"

namespace bulwark::image {

using core::ErrorCode;
using Json = nlohmann::json;

core::Result<Platform> Platform::parse(std::string_view text) {
  const auto parts = core::split(text, '/');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty()) {
    return core::fail(ErrorCode::Usage, "platform '{}' is not os/arch[/variant]", text);
  }
  Platform platform;
  platform.os = parts[0];
  platform.architecture = parts[1];
  if (parts.size() == 3) platform.variant = parts[2];
  return platform;
}

std::string Platform::str() const {
  return variant.empty() ? os + "/" + architecture : os + "/" + architecture + "/" + variant;
}

core::Status checkDigest(std::string_view digest) {
  constexpr std::string_view kPrefix = "sha256:";
  if (digest.substr(0, kPrefix.size()) != kPrefix || digest.size() != kPrefix.size() + 64) {
    return core::fail(ErrorCode::Input, "unsupported or malformed digest '{}'",
                      core::printable(digest.substr(0, 100)));
  }
  for (const char c : digest.substr(kPrefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return core::fail(ErrorCode::Input, "malformed digest '{}'", core::printable(digest));
    }
  }
  return {};
}

core::Status verifyDigest(std::string_view bytes, std::string_view digest, std::string_view what) {
  if (auto ok = checkDigest(digest); !ok) return ok;
  const std::string actual = "sha256:" + core::sha256Hex(bytes);
  if (actual != digest) {
    return core::fail(ErrorCode::Integrity, "{}: digest mismatch: expected {}, got {}", what,
                      digest, actual);
  }
  return {};
}

core::Result<FetchedManifest> ImageStore::fetchManifest(const Descriptor& descriptor) {
  auto stream = openBlob(descriptor);
  if (!stream) return tl::unexpected(stream.error());
  auto bytes = readAll(**stream, kMaxManifestBytes);
  if (!bytes) return core::withContext(bytes.error(), "manifest " + descriptor.digest);
  if (auto ok = verifyDigest(*bytes, descriptor.digest, "manifest"); !ok) {
    return tl::unexpected(ok.error());
  }
  return FetchedManifest{std::move(*bytes), descriptor.media_type, descriptor.digest};
}

namespace {

constexpr int kMaxIndexDepth = 4;
constexpr std::size_t kMaxLayers = 1024;

std::string stringField(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

core::Result<Descriptor> parseDescriptor(const Json& json, std::string_view what) {
  if (!json.is_object()) return core::fail(ErrorCode::Input, "{} is not an object", what);
  Descriptor descriptor;
  descriptor.media_type = stringField(json, "mediaType");
  descriptor.digest = stringField(json, "digest");
  if (auto ok = checkDigest(descriptor.digest); !ok) return core::withContext(ok.error(), what);
  if (const auto size = json.find("size"); size != json.end() && size->is_number_integer()) {
    descriptor.size = size->get<std::int64_t>();
  }
  if (const auto platform = json.find("platform");
      platform != json.end() && platform->is_object()) {
    Platform p;
    p.os = stringField(*platform, "os");
    p.architecture = stringField(*platform, "architecture");
    p.variant = stringField(*platform, "variant");
    descriptor.platform = p;
  }
  if (const auto annotations = json.find("annotations");
      annotations != json.end() && annotations->is_object()) {
    descriptor.ref_name = stringField(*annotations, "org.opencontainers.image.ref.name");
  }
  return descriptor;
}

// arm64 images usually say "v8" or nothing; treat those as the same variant.
bool variantMatches(const Platform& want, const Platform& have) {
  if (want.variant.empty()) return true;
  if (want.variant == have.variant) return true;
  return want.architecture == "arm64" && (have.variant.empty() || have.variant == "v8") &&
         (want.variant == "v8");
}

core::Result<Descriptor> choosePlatform(const Json& index, const Platform& want) {
  const auto manifests = index.find("manifests");
  if (manifests == index.end() || !manifests->is_array() || manifests->empty()) {
    return core::fail(ErrorCode::Input, "image index lists no manifests");
  }
  std::vector<Descriptor> candidates;
  std::string available;
  for (const auto& entry : *manifests) {
    auto descriptor = parseDescriptor(entry, "index entry");
    if (!descriptor) return tl::unexpected(descriptor.error());
    if (!descriptor->platform) {
      candidates.push_back(*descriptor);
      continue;
    }
    const Platform& have = *descriptor->platform;
    if (have.os == "unknown") continue;  // attestation manifests (buildx provenance, SBOMs)
    if (!available.empty()) available += ", ";
    available += have.str();
    if (have.os == want.os && have.architecture == want.architecture &&
        variantMatches(want, have)) {
      return *descriptor;
    }
  }
  // An index without platforms (a plain OCI layout's index.json) with one image: take it.
  if (candidates.size() == 1 && available.empty()) return candidates.front();
  return core::fail(ErrorCode::NotFound, "no image for platform {} (available: {})", want.str(),
                    available.empty() ? "none" : available);
}

enum class Kind { Index, Manifest, Unsupported };

Kind kindOf(const Json& json, std::string_view media_type) {
  std::string declared = stringField(json, "mediaType");
  if (declared.empty()) declared = std::string(media_type);
  if (declared == media::kOciIndex || declared == media::kDockerList) return Kind::Index;
  if (declared == media::kOciManifest || declared == media::kDockerManifest) {
    return Kind::Manifest;
  }
  if (declared.empty()) {
    if (json.contains("manifests")) return Kind::Index;
    if (json.contains("layers") && json.contains("config")) return Kind::Manifest;
  }
  return Kind::Unsupported;
}

core::Status readConfig(ImageStore& store, ResolvedImage& image) {
  if (image.config.size > static_cast<std::int64_t>(kMaxConfigBytes)) {
    return core::fail(ErrorCode::Limit, "image config {} is {} bytes, over the limit",
                      image.config.digest, image.config.size);
  }
  auto stream = store.openBlob(image.config);
  if (!stream) return core::withContext(stream.error(), "config " + image.config.digest);
  auto bytes = readAll(**stream, kMaxConfigBytes);
  if (!bytes) return core::withContext(bytes.error(), "config " + image.config.digest);
  if (auto ok = verifyDigest(*bytes, image.config.digest, "image config"); !ok) return ok;
  return parseConfig(image, std::move(*bytes));
}

// Strings of a JSON array; anything else (null, a string, numbers) gives nothing.
std::vector<std::string> stringArray(const Json& object, const char* key) {
  std::vector<std::string> out;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return out;
  for (const auto& item : *it) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

// The runtime part of an image config ("config": User, Env, Labels, ExposedPorts, ...).
void readRuntimeConfig(const Json& runtime, model::ImageConfig& out) {
  out.user = stringField(runtime, "User");
  out.env = stringArray(runtime, "Env");
  out.entrypoint = stringArray(runtime, "Entrypoint");
  out.cmd = stringArray(runtime, "Cmd");
  out.working_dir = stringField(runtime, "WorkingDir");
  if (const auto labels = runtime.find("Labels"); labels != runtime.end() && labels->is_object()) {
    for (const auto& [key, value] : labels->items()) {
      if (value.is_string()) out.labels.emplace_back(key, value.get<std::string>());
    }
    std::sort(out.labels.begin(), out.labels.end());
  }
  if (const auto ports = runtime.find("ExposedPorts");
      ports != runtime.end() && ports->is_object()) {
    for (const auto& [port, ignored] : ports->items()) out.exposed_ports.push_back(port);
    std::sort(out.exposed_ports.begin(), out.exposed_ports.end());
  }
  if (const auto check = runtime.find("Healthcheck");
      check != runtime.end() && check->is_object()) {
    out.healthcheck_test = stringArray(*check, "Test");
    out.has_healthcheck = !out.healthcheck_test.empty() && out.healthcheck_test[0] != "NONE";
  }
}

}  // namespace

core::Status parseConfig(ResolvedImage& image, std::string bytes) {
  const Json config = Json::parse(bytes, nullptr, false);
  if (config.is_discarded() || !config.is_object()) {
    return core::fail(ErrorCode::Input, "image config {} is not a JSON object",
                      image.config.digest);
  }
  image.config_bytes = std::move(bytes);
  image.created = stringField(config, "created");
  image.platform.os = stringField(config, "os");
  image.platform.architecture = stringField(config, "architecture");
  image.platform.variant = stringField(config, "variant");
  if (const auto rootfs = config.find("rootfs"); rootfs != config.end() && rootfs->is_object()) {
    if (const auto ids = rootfs->find("diff_ids"); ids != rootfs->end() && ids->is_array()) {
      for (const auto& id : *ids) {
        if (!id.is_string()) return core::fail(ErrorCode::Input, "config diff_ids: not a string");
        image.diff_ids.push_back(id.get<std::string>());
        if (auto ok = checkDigest(image.diff_ids.back()); !ok) {
          return core::withContext(ok.error(), "config diff_ids");
        }
      }
    }
  }
  if (image.diff_ids.size() != image.layers.size()) {
    return core::fail(ErrorCode::Input, "image has {} layers but its config lists {} diff_ids",
                      image.layers.size(), image.diff_ids.size());
  }
  if (const auto history = config.find("history"); history != config.end() && history->is_array()) {
    for (const auto& step : *history) {
      if (!step.is_object()) continue;
      const auto empty = step.find("empty_layer");
      model::HistoryEntry entry;
      entry.created = stringField(step, "created");
      entry.created_by = stringField(step, "created_by");
      entry.comment = stringField(step, "comment");
      entry.empty_layer = empty != step.end() && empty->is_boolean() && empty->get<bool>();
      if (!entry.empty_layer) image.history_created_by.push_back(entry.created_by);
      image.runtime.history.push_back(std::move(entry));
    }
  }
  if (const auto runtime = config.find("config"); runtime != config.end() && runtime->is_object()) {
    readRuntimeConfig(*runtime, image.runtime);
  }
  image.runtime.present = true;
  return {};
}

core::Result<ResolvedImage> resolveImage(ImageStore& store, FetchedManifest top,
                                         const Platform& platform) {
  FetchedManifest current = std::move(top);
  for (int depth = 0; depth <= kMaxIndexDepth; ++depth) {
    const Json json = Json::parse(current.bytes, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
      return core::fail(ErrorCode::Input, "manifest {} is not a JSON object",
                        current.digest.empty() ? "(top)" : current.digest);
    }
    if (const auto schema = json.find("schemaVersion");
        schema != json.end() && schema->is_number_integer() && schema->get<int>() == 1) {
      return core::fail(ErrorCode::Input,
                        "Docker schema 1 manifests are deprecated and not supported");
    }
    switch (kindOf(json, current.media_type)) {
      case Kind::Index: {
        auto chosen = choosePlatform(json, platform);
        if (!chosen) return tl::unexpected(chosen.error());
        auto next = store.fetchManifest(*chosen);
        if (!next) return tl::unexpected(next.error());
        if (next->media_type.empty()) next->media_type = chosen->media_type;
        current = std::move(*next);
        continue;
      }
      case Kind::Manifest: {
        ResolvedImage image;
        image.manifest_digest = current.digest;
        const auto config = json.find("config");
        if (config == json.end()) return core::fail(ErrorCode::Input, "manifest has no config");
        auto config_descriptor = parseDescriptor(*config, "manifest config");
        if (!config_descriptor) return tl::unexpected(config_descriptor.error());
        image.config = *config_descriptor;
        const auto layers = json.find("layers");
        if (layers == json.end() || !layers->is_array()) {
          return core::fail(ErrorCode::Input, "manifest has no layers array");
        }
        if (layers->size() > kMaxLayers) {
          return core::fail(ErrorCode::Limit, "manifest lists {} layers (limit {})", layers->size(),
                            kMaxLayers);
        }
        for (const auto& layer : *layers) {
          auto descriptor = parseDescriptor(layer, "manifest layer");
          if (!descriptor) return tl::unexpected(descriptor.error());
          image.layers.push_back(std::move(*descriptor));
        }
        if (auto ok = readConfig(store, image); !ok) return tl::unexpected(ok.error());
        return image;
      }
      case Kind::Unsupported:
        return core::fail(ErrorCode::Input, "unsupported manifest media type '{}'",
                          core::printable(stringField(json, "mediaType")));
    }
  }
  return core::fail(ErrorCode::Limit, "image indexes nested deeper than {}", kMaxIndexDepth);
}

}  // namespace bulwark::image
