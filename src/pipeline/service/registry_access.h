// How the service talks to a registered registry: the Registry API domain of its URL and the
// connection options with its credentials (the password unsealed with the service's key).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/secret_box.h"
#include "image/registry/client.h"
#include "pipeline/service/worker.h"
#include "store/store.h"

namespace bulwark::pipeline::service {

// "https://registry.example.com:5000" → "registry.example.com:5000" (a Reference::domain).
std::string registryDomain(std::string_view url);

// Options for `registry`: its insecure flag (an http:// URL implies it) and CA file, no docker
// config, and the unsealed credentials when it has a user name.
CredentialsProvider sealedCredentials(const core::SecretBox& box);

// `provider`'s options, or the registry's own settings without credentials when it is empty.
core::Result<image::registry::RegistryOptions> registryOptions(const store::Registry& registry,
                                                               const CredentialsProvider& provider);

}  // namespace bulwark::pipeline::service
