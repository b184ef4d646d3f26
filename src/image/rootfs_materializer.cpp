#include "image/rootfs_materializer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "image/layer_entry.h"

namespace wharf {
namespace {

namespace fs = std::filesystem;

Error sys_error(const std::string& doing, int err = errno) {
  return Error::internal(doing + ": " + std::strerror(err));
}

bool is_whiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

bool is_opaque(const std::string& dir) {
  char value[2] = {};
  return ::lgetxattr(dir.c_str(), kOverlayOpaqueXattr, value, sizeof value) == 1 && value[0] == 'y';
}

Status remove_tree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);  // removes a symlink itself, never its target
  if (ec) return fail(sys_error("removing " + path, ec.value()));
  return {};
}

// Owner (when root), mode and times of `dst` from `st`; never follows a symlink.
Status copy_metadata(const std::string& dst, const struct stat& st) {
  if (::geteuid() == 0 && ::lchown(dst.c_str(), st.st_uid, st.st_gid) != 0)
    return fail(sys_error("setting the owner of " + dst));
  if (!S_ISLNK(st.st_mode) && ::chmod(dst.c_str(), st.st_mode & 07777) != 0)
    return fail(sys_error("setting the mode of " + dst));
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  ::utimensat(AT_FDCWD, dst.c_str(), times, AT_SYMLINK_NOFOLLOW);
  return {};
}

Status copy_file(const std::string& src, const std::string& dst, const struct stat& st) {
  int in = ::open(src.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0) return fail(sys_error("opening " + src));
  int out = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0) {
    int err = errno;
    ::close(in);
    return fail(sys_error("creating " + dst, err));
  }
  off_t left = st.st_size;
  int err = 0;
  while (left > 0) {
    ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, static_cast<size_t>(left), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    left -= n;
  }
  ::close(in);
  ::close(out);
  if (err) return fail(sys_error("copying " + src, err));
  return copy_metadata(dst, st);
}

Status copy_entry(const std::string& src, const std::string& dst, const struct stat& st) {
  if (S_ISREG(st.st_mode)) return copy_file(src, dst, st);
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    auto target = fs::read_symlink(src, ec);
    if (!ec) fs::create_symlink(target, dst, ec);
    if (ec) return fail(sys_error("copying the symlink " + src, ec.value()));
    return copy_metadata(dst, st);
  }
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
    if (::mknod(dst.c_str(), st.st_mode, st.st_rdev) != 0) return fail(sys_error("creating " + dst));
    return copy_metadata(dst, st);
  }
  return {};  // sockets are not image content
}

// Merges the layer directory `src` into `dst`, both real directories (checked by the caller).
Status merge(const std::string& src, const std::string& dst) {
  std::error_code ec;
  for (fs::directory_iterator it(src, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename();
    const std::string s = src + "/" + name, d = dst + "/" + name;
    struct stat sst, dst_st;
    if (::lstat(s.c_str(), &sst) != 0) return fail(sys_error("reading " + s));
    bool exists = ::lstat(d.c_str(), &dst_st) == 0;
    if (is_whiteout(sst)) {
      if (exists)
        if (auto r = remove_tree(d); !r) return r;
      continue;
    }
    if (S_ISDIR(sst.st_mode)) {
      if (exists && !S_ISDIR(dst_st.st_mode)) {
        if (auto r = remove_tree(d); !r) return r;
        exists = false;
      } else if (exists && is_opaque(s)) {
        for (fs::directory_iterator old(d, ec), e2; !ec && old != e2; old.increment(ec))
          if (auto r = remove_tree(old->path()); !r) return r;
        if (ec) return fail(sys_error("clearing " + d, ec.value()));
      }
      if (!exists && ::mkdir(d.c_str(), 0700) != 0) return fail(sys_error("creating " + d));
      if (auto r = merge(s, d); !r) return r;
      if (auto r = copy_metadata(d, sst); !r) return r;
      continue;
    }
    if (exists)
      if (auto r = remove_tree(d); !r) return r;
    if (auto r = copy_entry(s, d, sst); !r) return r;
  }
  if (ec) return fail(sys_error("listing " + src, ec.value()));
  return {};
}

}  // namespace

Status materialize_rootfs(const std::vector<std::string>& layers, const std::string& dest) {
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) return fail(sys_error("creating " + dest, ec.value()));
  for (const auto& layer : layers)
    if (auto s = merge(layer, dest); !s) return s;
  return {};
}

}  // namespace wharf
