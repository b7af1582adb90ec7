// Certificates made at test time with the OpenSSL library (nothing secret is committed): a CA, a
// server certificate for 127.0.0.1/localhost and a client certificate (CN=bulwark-e2e,
// O=auditors), all signed by the CA, with EC P-256 keys. docs/dev/k8s-design.md §7.3.
#pragma once

#include <string>

namespace bulwark::testing {

struct PemPair {
  std::string cert;  // PEM
  std::string key;   // PEM (PKCS#8)
};

struct TestPki {
  PemPair ca;
  PemPair server;
  PemPair client;
};

// Throws std::runtime_error when OpenSSL fails. `ca_name` is the CA's CN (two calls give two
// unrelated CAs).
TestPki makeTestPki(const std::string& ca_name = "bulwark-e2e-ca");

}  // namespace bulwark::testing
