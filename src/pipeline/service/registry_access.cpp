#include "pipeline/service/registry_access.h"

namespace bulwark::pipeline::service {

namespace {

image::registry::RegistryOptions baseOptions(const store::Registry& registry) {
  image::registry::RegistryOptions options;
  options.insecure = registry.insecure || std::string_view(registry.url).starts_with("http://");
  options.tls_verify = !registry.insecure;
  options.ca_file = registry.ca_file;
  options.use_docker_config = false;
  return options;
}

}  // namespace

std::string registryDomain(std::string_view url) {
  if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
    url.remove_prefix(scheme + 3);
  }
  if (const auto slash = url.find('/'); slash != std::string_view::npos) url = url.substr(0, slash);
  return std::string(url);
}

CredentialsProvider sealedCredentials(const core::SecretBox& box) {
  return [box](const store::Registry& registry) -> core::Result<image::registry::RegistryOptions> {
    auto options = baseOptions(registry);
    if (registry.username.empty() && registry.password_sealed.empty()) return options;
    image::registry::Credentials credentials;
    credentials.username = registry.username;
    if (!registry.password_sealed.empty()) {
      auto password = box.open(registry.password_sealed);
      if (!password) {
        return core::fail(password.error().code, "registry {}: its stored password: {}",
                          registry.name, password.error().message);
      }
      credentials.password = std::move(*password);
    }
    options.credentials = std::move(credentials);
    return options;
  };
}

core::Result<image::registry::RegistryOptions> registryOptions(
    const store::Registry& registry, const CredentialsProvider& provider) {
  if (provider) return provider(registry);
  return baseOptions(registry);
}

}  // namespace bulwark::pipeline::service
