// A kubeconfig file reduced to what one connection needs: the current context's cluster and user.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace wharf::kube {

struct Kubeconfig {
  std::string context;  // the current-context name
  std::string cluster;  // the cluster's name in the file
  std::string user;     // the user's name in the file

  std::string server;  // "https://127.0.0.1:6443", without a trailing '/'
  std::string ca_pem;  // PEM certificates to verify the server; empty: the system's
  bool insecure_skip_tls_verify = false;
  std::string client_cert_pem;  // client certificate authentication, with client_key_pem
  std::string client_key_pem;
  std::string token;  // bearer token authentication
};

struct KubeconfigOptions {
  // Directory that relative file references (certificate-authority, client-certificate, client-key,
  // tokenFile) are read from. Empty: file references are refused, because a kubeconfig registered through
  // the API must carry its credentials inline (*-data, token).
  std::string file_base;
  // The context to use instead of current-context; empty: current-context.
  std::string context;
};

// Parses kubeconfig YAML text. Returns Error::invalid naming the missing or bad field, e.g.
// `kubeconfig: user "x" has neither a token nor a client certificate`. Reads files only when
// options.file_base is set. Pure apart from that; thread-safe.
Result<Kubeconfig> parse_kubeconfig(std::string_view yaml_text, const KubeconfigOptions& options = {});

// Reads and parses a kubeconfig file; relative file references are resolved against its directory.
Result<Kubeconfig> load_kubeconfig_file(const std::string& path);

// Standard base64 (RFC 4648 with padding; whitespace ignored) as kubeconfig *-data fields use it.
// Returns false on any other character or bad length.
bool base64_decode(std::string_view text, std::string& out);

}  // namespace wharf::kube
