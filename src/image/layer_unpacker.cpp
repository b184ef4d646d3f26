#include "image/layer_unpacker.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "image/layer_entry.h"

namespace wharf {
namespace {

struct ArchiveCloser {
  void operator()(archive* a) const { archive_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Error sys_error(const std::string& doing) {
  return Error::internal(doing + ": " + std::strerror(errno));
}

// Opens directory `rel` under `root_fd`, creating missing components, never following a symlink: a
// whiteout must not be created through a link a hostile layer planted.
Result<Fd> open_dir_beneath(int root_fd, const std::string& rel, const std::string& layer) {
  Fd dir(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  size_t i = 0;
  while (i < rel.size()) {
    size_t j = rel.find('/', i);
    if (j == std::string::npos) j = rel.size();
    std::string part = rel.substr(i, j - i);
    i = j + 1;
    if (::mkdirat(dir.get(), part.c_str(), 0755) != 0 && errno != EEXIST)
      return fail(sys_error("creating " + layer + "/" + rel));
    int next = ::openat(dir.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0)
      return fail(Error::invalid("image", "layer entry \"" + rel + "\" goes through a symlink or a file"));
    dir = Fd(next);
  }
  return dir;
}

Status apply_whiteout(int root_fd, const WhiteoutMark& mark, const std::string& layer) {
  if (mark.kind == WhiteoutMark::kOpaque) {
    auto dir = open_dir_beneath(root_fd, mark.target, layer);
    if (!dir) return fail(dir.error());
    if (::fsetxattr(dir->get(), kOverlayOpaqueXattr, "y", 1, 0) != 0)
      return fail(
          sys_error("marking " + layer + "/" + mark.target + " opaque (needs root for trusted.* xattrs)"));
    return {};
  }
  auto slash = mark.target.rfind('/');
  std::string parent = slash == std::string::npos ? "" : mark.target.substr(0, slash);
  std::string name = slash == std::string::npos ? mark.target : mark.target.substr(slash + 1);
  auto dir = open_dir_beneath(root_fd, parent, layer);
  if (!dir) return fail(dir.error());
  if (::mknodat(dir->get(), name.c_str(), S_IFCHR | 0000, makedev(0, 0)) != 0 && errno != EEXIST)
    return fail(sys_error("creating the whiteout " + layer + "/" + mark.target + " (needs root: CAP_MKNOD)"));
  return {};
}

Error archive_error(archive* a, const std::string& blob, const std::string& doing) {
  const char* msg = archive_error_string(a);
  return Error::invalid(
      "image", "layer " + blob + " cannot be unpacked (" + doing + "): " + (msg ? msg : "unknown error"));
}

}  // namespace

Status unpack_layer(const std::string& blob_path, const std::string& dest) {
  char real[PATH_MAX];
  if (!::realpath(dest.c_str(), real)) return fail(sys_error("resolving " + dest));
  const std::string root(real);  // no symlinks in the prefix: the symlink checks below see only the layer's
  Fd root_fd(::open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (root_fd.get() < 0) return fail(sys_error("opening " + root));

  ArchivePtr in(archive_read_new());
  archive_read_support_filter_all(in.get());
  archive_read_support_format_tar(in.get());
  if (archive_read_open_filename(in.get(), blob_path.c_str(), 1 << 16) != ARCHIVE_OK)
    return fail(archive_error(in.get(), blob_path, "opening"));
  ArchivePtr out(archive_write_disk_new());
  int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_XATTR |
              ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_UNLINK;
  if (::geteuid() == 0) flags |= ARCHIVE_EXTRACT_OWNER;
  archive_write_disk_set_options(out.get(), flags);  // numeric ids: no name lookup on the host

  archive_entry* entry = nullptr;
  for (;;) {
    int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return fail(archive_error(in.get(), blob_path, "reading"));
    const char* raw = archive_entry_pathname(entry);
    auto path = layer_entry_path(raw ? raw : "");
    if (!path)
      return fail(
          Error::invalid("image", std::string("layer entry \"") + raw + "\" points outside the layer"));
    if (path->empty()) continue;  // the root directory itself: its mode is ours
    if (auto mark = classify_whiteout(*path); mark.kind != WhiteoutMark::kNone) {
      if (auto s = apply_whiteout(root_fd.get(), mark, root); !s) return s;
      continue;
    }
    if (const char* link = archive_entry_hardlink(entry)) {
      auto target = layer_entry_path(link);
      if (!target || target->empty())
        return fail(
            Error::invalid("image", std::string("hard link \"") + raw + "\" points outside the layer"));
      archive_entry_set_hardlink(entry, (root + "/" + *target).c_str());
    }
    archive_entry_set_pathname(entry, (root + "/" + *path).c_str());
    r = archive_write_header(out.get(), entry);
    if (r < ARCHIVE_WARN) return fail(archive_error(out.get(), blob_path, "writing " + *path));
    if (archive_entry_size(entry) > 0 && r >= ARCHIVE_WARN) {
      const void* buf;
      size_t size;
      la_int64_t offset;
      for (;;) {
        r = archive_read_data_block(in.get(), &buf, &size, &offset);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) return fail(archive_error(in.get(), blob_path, "reading " + *path));
        if (archive_write_data_block(out.get(), buf, size, offset) < ARCHIVE_WARN)
          return fail(archive_error(out.get(), blob_path, "writing " + *path));
      }
    }
    if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN)
      return fail(archive_error(out.get(), blob_path, "finishing " + *path));
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK)  // applies the deferred directory modes and times
    return fail(archive_error(out.get(), blob_path, "closing"));
  return {};
}

}  // namespace wharf
