#include "e2e/k8s/test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

namespace bulwark::testing {
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL: ") + what);
}

Key newKey() {
  Key key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  check(key != nullptr, "EC key generation");
  return key;
}

void addExtension(X509* cert, X509V3_CTX& ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "extension");
  check(X509_add_ext(cert, ext, -1) == 1, "add extension");
  X509_EXTENSION_free(ext);
}

struct Spec {
  std::string cn;
  std::string org;
  bool ca = false;
  const char* sans = nullptr;   // "IP:127.0.0.1,DNS:localhost"
  const char* usage = nullptr;  // "serverAuth" / "clientAuth"
  long serial = 1;
};

// Signed by `issuer` with `issuer_key`; self-signed when issuer is null.
Cert makeCert(EVP_PKEY* key, const Spec& spec, X509* issuer, EVP_PKEY* issuer_key) {
  Cert cert(X509_new(), &X509_free);
  check(cert != nullptr, "X509_new");
  X509* x = cert.get();
  check(X509_set_version(x, 2) == 1, "version");
  ASN1_INTEGER_set(X509_get_serialNumber(x), spec.serial);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 2L * 24 * 3600);
  check(X509_set_pubkey(x, key) == 1, "public key");
  X509_NAME* name = X509_get_subject_name(x);
  if (!spec.org.empty()) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(spec.org.c_str()), -1, -1, 0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : x;
  check(X509_set_issuer_name(x, X509_get_subject_name(signer)) == 1, "issuer");
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, signer, x, nullptr, nullptr, 0);
  addExtension(x, ctx, NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  addExtension(x, ctx, NID_key_usage,
               spec.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  addExtension(x, ctx, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) addExtension(x, ctx, NID_authority_key_identifier, "keyid:always");
  if (spec.sans != nullptr) addExtension(x, ctx, NID_subject_alt_name, spec.sans);
  if (spec.usage != nullptr) addExtension(x, ctx, NID_ext_key_usage, spec.usage);
  check(X509_sign(x, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0, "sign");
  return cert;
}

std::string pemOf(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  check(PEM_write_bio_X509(bio.get(), cert) == 1, "write certificate");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

std::string pemOf(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write key");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

}  // namespace

TestPki makeTestPki(const std::string& ca_name) {
  TestPki pki;
  Key ca_key = newKey();
  Cert ca = makeCert(ca_key.get(), {ca_name, "bulwark tests", true, nullptr, nullptr, 1}, nullptr,
                     nullptr);
  Key server_key = newKey();
  Cert server = makeCert(
      server_key.get(),
      {"kube-apiserver", "", false, "IP:127.0.0.1,DNS:localhost,DNS:kubernetes", "serverAuth", 2},
      ca.get(), ca_key.get());
  Key client_key = newKey();
  Cert client =
      makeCert(client_key.get(), {"bulwark-e2e", "auditors", false, nullptr, "clientAuth", 3},
               ca.get(), ca_key.get());
  pki.ca = {pemOf(ca.get()), pemOf(ca_key.get())};
  pki.server = {pemOf(server.get()), pemOf(server_key.get())};
  pki.client = {pemOf(client.get()), pemOf(client_key.get())};
  return pki;
}

}  // namespace bulwark::testing
