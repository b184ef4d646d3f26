// Unpacks one image layer (a tar, plain or compressed with gzip or zstd: libarchive detects which) into a
// directory of its own, in the form overlayfs reads as a lowerdir: whiteouts become 0/0 character devices,
// opaque directories get the trusted.overlay.opaque=y xattr (see layer_entry.h). Entries that would leave
// the directory (".." components, writing through a symlink) are refused. Owners, modes, times and
// xattrs are kept (owners only when running as root). Creating whiteouts needs root (CAP_MKNOD and
// CAP_SYS_ADMIN for trusted.* xattrs), as running containers does.
#pragma once

#include <string>

#include "core/error.h"

namespace wharf {

// `dest` must be an existing, empty directory. On error `dest` is left partly filled: callers unpack into
// a temporary directory and rename it into place on success. `invalid` for a corrupt or hostile layer,
// `internal` for local file-system failures.
Status unpack_layer(const std::string& blob_path, const std::string& dest);

}  // namespace wharf
