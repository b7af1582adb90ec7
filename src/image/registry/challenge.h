// WWW-Authenticate challenges (RFC 7235 §4.1) as registries send them:
//   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="…"
//   Basic realm="Registry Realm"
// Grammar:  challenges := challenge ( "," challenge )*
//           challenge  := scheme [ SP ( token68 | param ( "," param )* ) ]
//           param      := token BWS "=" BWS ( token | quoted-string )
// The header comes from the network: the parser never fails, skips what it cannot read, and
// bounds its input, the number of challenges and the number of parameters.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark::image::registry {

inline constexpr std::size_t kMaxChallengeHeaderBytes = 16U << 10;
inline constexpr std::size_t kMaxChallenges = 16;
inline constexpr std::size_t kMaxChallengeParams = 32;

struct Challenge {
  std::string scheme;                         // lower-case: "basic", "bearer"
  std::map<std::string, std::string> params;  // names lower-case, values unquoted
  std::string token68;                        // the rare token68 form

  [[nodiscard]] std::string param(const std::string& name) const {
    const auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

std::vector<Challenge> parseChallenges(std::string_view header);

}  // namespace bulwark::image::registry
