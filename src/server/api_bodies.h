// The JSON bodies the /api/v1 routes accept, parsed and validated apart from the handlers so that
// a fuzz target can drive them (tests/fuzz/server_bodies_fuzz.cpp). Every parser takes untrusted
// bytes and returns an Input error naming the bad field; none throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/store.h"

namespace bulwark::server {

inline constexpr int kMaxJsonDepth = 32;

// Names and references the API accepts.
bool validDigest(std::string_view text);        // "sha256:" + 64 lower-case hex
bool validRegistryName(std::string_view text);  // 1-100 of [A-Za-z0-9._-]
bool validRepository(std::string_view text);    // 1-255 of [a-z0-9._/-], no leading '/'
bool validTag(std::string_view text);           // 1-128 of [A-Za-z0-9_.-], first not '.'/'-'

// POST /api/v1/tokens
struct TokenRequestBody {
  std::string name;
  store::Role role = store::Role::Reader;
  std::optional<store::Millis> expires_at;  // absolute, Unix ms
};
core::Result<TokenRequestBody> parseTokenRequest(std::string_view body, store::Millis now);

// POST /api/v1/registries (the password stays plain text here; the handler seals it)
struct RegistryRequestBody {
  store::Registry registry;  // name, url, username, insecure, ca_file, poll_interval_s
  std::string password;
};
core::Result<RegistryRequestBody> parseRegistryRequest(std::string_view body);

// POST /api/v1/scans
struct ScanRequestBody {
  std::string registry;
  std::string repository;
  std::string tag;
  std::string digest;
  std::string platform;
};
core::Result<ScanRequestBody> parseScanRequest(std::string_view body);

}  // namespace bulwark::server
