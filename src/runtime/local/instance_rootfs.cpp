#include "runtime/local/instance_rootfs.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "image/rootfs_materializer.h"

namespace wharf::local {

namespace fs = std::filesystem;

namespace {

bool is_mount_point(const std::string& path) {
  struct stat self {
  }, parent{};
  if (::stat(path.c_str(), &self) != 0 || ::stat((path + "/..").c_str(), &parent) != 0) return false;
  return self.st_dev != parent.st_dev;
}

}  // namespace

Result<std::string> prepare_rootfs(const std::vector<std::string>& layers, const std::string& dir) {
  const std::string rootfs = dir + "/rootfs";
  const std::string copied_marker = dir + "/rootfs.copied";
  std::error_code ec;
  if (is_mount_point(rootfs) || fs::exists(copied_marker, ec)) return rootfs;
  if (layers.empty()) return fail(Error::unavailable("the image has no layers"));
  for (const char* sub : {"/rootfs", "/upper", "/work"}) fs::create_directories(dir + sub, ec);
  // overlayfs lists lower directories top first.
  std::string lower;
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) lower += (lower.empty() ? "" : ":") + *it;
  const std::string options = "lowerdir=" + lower + ",upperdir=" + dir + "/upper,workdir=" + dir + "/work";
  if (::mount("overlay", rootfs.c_str(), "overlay", 0, options.c_str()) == 0) return rootfs;
  const std::string why = std::strerror(errno);
  fs::remove_all(rootfs, ec);
  if (auto copied = materialize_rootfs(layers, rootfs); !copied)
    return fail(Error::unavailable("cannot mount overlayfs (" + why +
                                   ") nor copy the image: " + copied.error().message));
  std::ofstream(copied_marker) << why << "\n";
  return rootfs;
}

Status release_rootfs(const std::string& dir) {
  const std::string rootfs = dir + "/rootfs";
  if (is_mount_point(rootfs) && ::umount2(rootfs.c_str(), MNT_DETACH) != 0 && errno != EINVAL)
    return fail(Error::unavailable("cannot unmount " + rootfs + ": " + std::strerror(errno)));
  return {};
}

}  // namespace wharf::local
