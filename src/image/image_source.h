// ImageSource: turns an image reference into unpacked, verified layers on local disk. The contract between
// the image store (registry pulls, content-addressed layers) and the local runtime (which stacks the layers
// into each instance's root file system).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"

namespace wharf {

// The parts of an OCI image config the runtime needs to start a process.
struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "KEY=value"
  std::string user;              // "uid[:gid]" or a name, as in the image
  std::string working_dir;
  std::vector<std::string> exposed_ports;  // "8080/tcp"
};

struct PreparedImage {
  std::string reference;  // normalised: registry/repository:tag or @digest
  std::string digest;     // digest of the platform manifest (sha256:...), what releases record
  // Absolute directories of the unpacked layers, lowest first. Read-only and shared by every instance
  // of the image: callers stack them (overlayfs) or copy them, never write into them.
  std::vector<std::string> layers;
  ImageConfig config;
};

class ImageSource {
 public:
  virtual ~ImageSource() = default;

  // Resolves `reference` ("host[:port]/repo[:tag][@sha256:...]") for linux/amd64, downloads what is not yet
  // stored, verifies every digest, and unpacks each layer once. Blocks until done; safe to call
  // concurrently (the same image is fetched once). Errors: `invalid` for a malformed reference, an unknown
  // repository or tag, a digest mismatch or no linux/amd64 image (a release fails with the message);
  // `unavailable` when the registry cannot be reached or answers 5xx (retry later).
  virtual Result<PreparedImage> prepare(const std::string& reference) = 0;

  // Deletes stored images, blobs and unpacked layers that no image in `keep` (manifest digests) uses.
  // Returns the bytes freed.
  virtual Result<uint64_t> collect_garbage(const std::set<std::string>& keep) = 0;
};

}  // namespace wharf
