// Delivery of an app's config version to its local instances. Each (app, environment, config version) is
// written once under ROOT/configs/<project>_<app>_<env>_<version>/:
//
//   files/    the file items, one file per item named by its key: bind-mounted read-only into every
//             instance at the app's configPath
//   env.json  the scalar items that become environment variables ({"NAME": "value"}); not mounted
//
// ROOT/configs and each version directory are 0700 (root only: secret values are in plaintext there);
// files/ is 0755 and its files 0644 so that whatever user the image runs as can read them inside the
// container (the bind mount exposes files/ alone; the 0700 directories above it are not on the
// container's path). Secret file items are therefore readable by every process of the instance, as a
// Kubernetes Secret volume's default mode allows. Versions are immutable, so a directory that exists is
// complete: it is written under a temporary name and renamed into place.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "core/config_version.h"
#include "core/error.h"
#include "store/store.h"

namespace wharf::local {

// ROOT/configs.
std::string configs_dir(const std::string& root);
// The directory name of one version: <project>_<app>_<env>_<version> (DNS labels never contain '_').
std::string config_dir_name(const ReleaseKey& key, int64_t version);
// ROOT/configs/<config_dir_name>.
std::string config_dir(const std::string& root, const ReleaseKey& key, int64_t version);

// The environment variables of a version: scalar items whose key is a variable name, values as given
// (int and bool as their text, json as the JSON text). Pure.
std::map<std::string, std::string> config_env(const ConfigVersion& config);

// Writes the version's directory unless it exists. `unavailable` on I/O errors (nothing half-written is
// left under the final name).
Status ensure_config_dir(const std::string& root, const ReleaseKey& key, const ConfigVersion& config);

// The environment variables stored with a written version. `unavailable` when the directory is missing
// or unreadable.
Result<std::map<std::string, std::string>> read_config_env(const std::string& dir);

// Removes every version directory (and leftover temporary directory) under ROOT/configs whose name is not
// in `keep`. Returns how many were removed.
size_t remove_config_dirs_except(const std::string& root, const std::set<std::string>& keep);

}  // namespace wharf::local
