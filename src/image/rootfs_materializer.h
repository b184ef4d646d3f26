// The copy fallback for where overlayfs is not available: builds a root file system by copying unpacked
// layers (as ImageSource::prepare returns them, lowest first) on top of each other with overlayfs'
// semantics: a whiteout (0/0 character device) removes the path from the layers below, an opaque
// directory (trusted.overlay.opaque=y) hides their contents of it, a directory replaces a file and a file
// a directory. Whiteouts and the opaque xattr themselves are not copied. Owners (as root), modes, times
// and symlinks are kept; hard links become copies.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"

namespace wharf {

// `dest` is created when missing and should be empty. Never writes outside `dest`: a symlink a lower
// layer left is replaced, not followed. Blocks (copies every file); `internal` on a file-system error.
Status materialize_rootfs(const std::vector<std::string>& layers, const std::string& dest);

}  // namespace wharf
