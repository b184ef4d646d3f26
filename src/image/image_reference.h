// Image references as Docker writes them: [host[:port]/]repository[:tag][@sha256:hex], normalised with
// Docker's rules (no host: docker.io, and library/ for a one-part name; no tag and no digest: latest).
// Pure.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace wharf {

struct ImageReference {
  std::string registry;    // "127.0.0.1:5000", "registry.example.com", "docker.io"
  std::string repository;  // "shop/web", "library/busybox"
  std::string tag;         // empty when only a digest was given
  std::string digest;      // "sha256:<64 hex>" or empty

  // registry/repository[:tag][@digest], the normalised form releases show.
  std::string str() const;
  // What to ask the registry for: the digest when there is one, else the tag.
  const std::string& manifest_reference() const { return digest.empty() ? tag : digest; }
};

// Parses and normalises `text`. Errors are `invalid` with field "image" and a message naming the part
// at fault (upper-case letters in the repository, a bad tag, a digest that is not sha256:<64 hex>, ...).
Result<ImageReference> parse_image_reference(std::string_view text);

// True for "sha256:" followed by 64 lower-case hex digits.
bool is_sha256_digest(std::string_view digest);

}  // namespace wharf
