// Files that hold a secret for the machine's administrator (admin-token, admin-password).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/error.h"

namespace wharf {

// Writes `content` to `path` with mode 0600 atomically (temp file, fsync, rename). `unavailable` with the
// OS's reason on failure.
Status write_secret_file(const std::filesystem::path& path, const std::string& content);

// The first line of `path` without its line ending; nullopt when the file cannot be read.
std::optional<std::string> read_secret_file(const std::filesystem::path& path);

}  // namespace wharf
