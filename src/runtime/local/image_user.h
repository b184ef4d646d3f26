// The user an image asks to run as ("uid", "uid:gid", "name", "name:group", or empty for root), resolved
// against the image's own /etc/passwd and /etc/group, as runc and containerd do.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"

namespace wharf::local {

struct ProcessUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
};

// `invalid` when a name is not in the image's files (the release fails with the message).
Result<ProcessUser> resolve_image_user(const std::string& user, const std::string& rootfs);

}  // namespace wharf::local
