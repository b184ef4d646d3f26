// RegistryClient: the Docker Registry HTTP API v2 / OCI distribution spec, as far as pulling and browsing
// need it: manifests (with the Accept headers of every kind Wharf understands), blobs (digest-verified,
// resumed from a partial file with Range), `_catalog` and `tags/list` with Link pagination. Answers a 401
// with basic auth or the bearer token protocol (anonymous, or with the credentials of RegistryConfig);
// tokens are cached per registry and scope. HTTPS unless RegistryConfig says plain HTTP.
//
// Errors follow ImageSource: `invalid` for what a person must fix (unknown repository or tag, refused
// credentials, digest mismatch), `unavailable` for an unreachable registry or a 5xx/429 answer.
// Credentials never appear in errors. Thread-safe; every call blocks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "image/image_reference.h"
#include "image/registry_config.h"

namespace wharf {

namespace net {
class HttpClient;
}

struct FetchedManifest {
  std::string media_type;  // the Content-Type of the answer
  std::string body;
  std::string digest;  // sha256 of body, checked against the requested digest and Docker-Content-Digest
};

struct NamePage {
  std::vector<std::string> names;
  std::string continue_token;  // opaque; empty on the last page
};

class RegistryClient {
 public:
  // `http` must outlive the client.
  RegistryClient(const net::HttpClient& http, RegistryConfig config);
  ~RegistryClient();
  RegistryClient(RegistryClient&&) noexcept;

  // The manifest or index `reference` (a tag or a digest) of ref.registry/ref.repository. An unknown
  // repository or tag is `invalid` with a message naming the image and, when the registry lists them,
  // the tags it has.
  Result<FetchedManifest> get_manifest(const ImageReference& ref, const std::string& reference);

  // Downloads blob `digest` of ref's repository into `partial_path`, continuing after the bytes already
  // there (Range). On success the file holds exactly the blob, verified. A transfer that breaks off is
  // resumed a few times before giving up (`unavailable`, the partial file kept for the next call); a
  // digest mismatch deletes the file (`invalid`). Returns the bytes transferred by this call.
  Result<uint64_t> download_blob(const ImageReference& ref, const std::string& digest,
                                 const std::string& partial_path);

  // One page of the registry's repositories (`_catalog?n=limit`), or of a repository's tags.
  Result<NamePage> list_repositories(const std::string& registry, int limit,
                                     const std::string& continue_token);
  Result<NamePage> list_tags(const std::string& registry, const std::string& repository, int limit,
                             const std::string& continue_token);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wharf
