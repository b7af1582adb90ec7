// Reading a kubeconfig as kubectl does — `--kubeconfig F`, else every file of $KUBECONFIG
// (first definition of a name wins), else ~/.kube/config — and resolving one context into what
// the API client needs: the server, how to trust it, and the credentials (bearer token,
// client certificate, or an exec credential plugin run here). docs/dev/k8s-design.md §1.4.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace bulwark::checks::k8s::collect {

struct KubeconfigOptions {
  std::string path;     // --kubeconfig; empty: $KUBECONFIG, else $HOME/.kube/config
  std::string context;  // --context; empty: current-context
  std::chrono::milliseconds exec_timeout{30000};
  std::size_t max_file_bytes = std::size_t{1} << 20;
  // Added: an exec credential plugin's stdout beyond this is refused (the plugin is killed).
  std::size_t max_exec_output_bytes = std::size_t{1} << 20;
};

// One context resolved. Secrets (token, key) are held only here: never logged, never in
// evidence or diagnostics.
struct ClientConfig {
  std::string context;     // the context's name
  std::string cluster;     // the cluster's name
  std::string user;        // the user's name (not a secret)
  std::string namespace_;  // the context's namespace (shown, not a filter)
  std::string server;      // "https://10.0.0.1:6443" (http:// only for loopback)
  // Trust: PEM text of the CA (from certificate-authority-data or the file), or empty for the
  // system store; insecure_skip_tls_verify is reported in the header as a warning.
  std::string ca_pem;
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string proxy_url;
  // Credentials (at most one kind is used; a token beside a certificate is sent too, as
  // kubectl does).
  std::string token;  // bearer (token, tokenFile, or an exec plugin's status.token)
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string auth_kind;  // "token", "token-file", "client-certificate", "exec:<command>", "none"
  std::vector<std::string> warnings;  // "insecure-skip-tls-verify is set", …
  // Added: the files the kubeconfig names, resolved against the directory of the file that
  // defined the entry (empty when not used). resolveKubeconfigText without exec plugins leaves
  // them unread, so these say what a full load would read.
  std::string ca_file;
  std::string client_cert_file;
  std::string client_key_file;
  std::string token_file;

  // Overwrites the secrets with zeros before they are freed.
  void wipeSecrets();
};

// Parses one kubeconfig text and resolves the context. `dir` is the directory relative paths in
// the file resolve against. With `run_exec_plugins` false this is pure (for the fuzz target):
// no file is read (the *_file fields name them) and an exec plugin is not run (auth_kind
// "exec:<command>", no token). With it true, the referenced files are read and the plugin is
// run, as loadKubeconfig does for merged files.
core::Result<ClientConfig> resolveKubeconfigText(std::string_view text, std::string_view dir,
                                                 const KubeconfigOptions& options,
                                                 bool run_exec_plugins);

// Reads the files, merges them, resolves the context (running an exec plugin when the user has
// one) and reads referenced files (CA, certificate, key, tokenFile). Errors (exit 2): no file,
// unreadable or malformed YAML, unknown context (the message lists the known ones), basic auth
// or a legacy auth-provider (refused with the reason), an exec plugin that fails or times out.
core::Result<ClientConfig> loadKubeconfig(const KubeconfigOptions& options);

}  // namespace bulwark::checks::k8s::collect
