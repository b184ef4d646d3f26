// ImageStore: the local, content-addressed image store behind ImageSource. Pulls with RegistryClient,
// verifies every digest, unpacks each layer once (shared by every image and instance that uses it) and
// keeps what it needs to answer prepare() again without the network. On disk, under `root`:
//
//   layers/<hex>         an unpacked layer (overlayfs form), named by the digest of its blob
//   images/<hex>.json    a prepared image, named by its platform manifest digest: config and layer list
//   tags/<hash of ref>   the manifest digest a tag reference last resolved to
//   partial/<hex>        blob downloads in progress, resumed by the next pull
//   tmp/                 layers being unpacked; emptied by open()
//
// Layers are unpacked in tmp/ and renamed into place, and an image record is written (tmp + rename) only
// after all its layers are in place: a crash or kill -9 mid-pull leaves nothing half-visible.
// prepare() of a digest reference that is stored needs no registry; a tag reference is resolved against
// the registry each time, and falls back to the stored resolution when the registry is unreachable.
// Thread-safe. Concurrent prepare() calls of one reference share one pull, and a layer two images share
// is downloaded once.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "core/error.h"
#include "image/image_source.h"
#include "image/registry_client.h"

namespace wharf {

struct ImageStoreOptions {
  std::string root;       // created when missing
  std::string auth_file;  // registries.json (registry_config.h); may be missing
  int parallel_downloads = 3;
};

// Counters since open(), for tests and metrics.
struct ImageStoreStats {
  uint64_t blobs_downloaded = 0;
  uint64_t bytes_downloaded = 0;
  uint64_t layers_unpacked = 0;
};

class ImageStore : public ImageSource {
 public:
  // Creates the directories, clears tmp/. `internal` when `root` cannot be created.
  static Result<std::unique_ptr<ImageStore>> open(const ImageStoreOptions& options);
  ~ImageStore() override;

  Result<PreparedImage> prepare(const std::string& reference) override;
  // Also removes partial downloads and unused tag resolutions. Waits for running pulls to finish.
  Result<uint64_t> collect_garbage(const std::set<std::string>& keep) override;

  // Browsing a registry for the console: one page of its repositories, or of a repository's tags, with
  // the credentials of auth_file (re-read on every call). Errors as RegistryClient.
  Result<NamePage> list_repositories(const std::string& registry, int limit,
                                     const std::string& continue_token);
  Result<NamePage> list_tags(const std::string& registry, const std::string& repository, int limit,
                             const std::string& continue_token);

  ImageStoreStats stats() const;

 private:
  struct Impl;
  explicit ImageStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wharf
