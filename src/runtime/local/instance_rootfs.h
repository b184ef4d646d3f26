// The root file system of one instance: the image's shared, read-only layers stacked with overlayfs under a
// writable layer of the instance's own (upper/ and work/ beside the mount point), or, where the kernel
// refuses the overlay mount (nested overlayfs, old kernels), a private copy made with materialize_rootfs.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"

namespace wharf::local {

// Mounts (or copies) `layers` (lowest first) at `dir`/rootfs unless it is already there (idempotent after a
// crash). Returns the rootfs path. `unavailable` when neither way works.
Result<std::string> prepare_rootfs(const std::vector<std::string>& layers, const std::string& dir);

// Unmounts `dir`/rootfs if it is mounted. The caller removes the directory afterwards.
Status release_rootfs(const std::string& dir);

}  // namespace wharf::local
