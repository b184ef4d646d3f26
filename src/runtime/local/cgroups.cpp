#include "runtime/local/cgroups.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace wharf::local {

namespace fs = std::filesystem;

namespace {

// "key value" lines (memory.events, memory.oom_control): the value of `key`, or 0 when absent.
int64_t keyed_value(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  std::string k;
  int64_t v = 0;
  while (lines >> k >> v) {
    if (k == key) return v;
  }
  return 0;
}

bool read_text(const fs::path& p, std::string& out) {
  std::ifstream f(p);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

fs::path under(const std::string& root, const std::string& path) {
  return fs::path(root) / fs::path(path).relative_path();
}

}  // namespace

CgroupMode detect_cgroup_mode(const std::string& root) {
  std::error_code ec;
  if (fs::exists(fs::path(root) / "cgroup.controllers", ec)) return CgroupMode::kV2;
  if (fs::exists(fs::path(root) / "unified" / "cgroup.controllers", ec)) return CgroupMode::kHybrid;
  return CgroupMode::kV1;
}

Result<MemoryEvents> read_memory_events(const std::string& path, const std::string& root) {
  MemoryEvents ev;
  std::string text;
  if (detect_cgroup_mode(root) == CgroupMode::kV2) {
    const fs::path dir = under(root, path);
    if (!read_text(dir / "memory.events", text)) {
      return fail(Error::not_found("no cgroup v2 memory.events at " + dir.string()));
    }
    ev.oom_kills = keyed_value(text, "oom_kill");
    ev.oom = keyed_value(text, "oom");
    return ev;
  }
  const fs::path dir = under(root + "/memory", path);
  if (!read_text(dir / "memory.oom_control", text)) {
    return fail(Error::not_found("no cgroup v1 memory.oom_control at " + dir.string()));
  }
  ev.oom_kills = keyed_value(text, "oom_kill");
  std::string failcnt;
  if (read_text(dir / "memory.failcnt", failcnt)) ev.oom = std::atoll(failcnt.c_str());
  return ev;
}

bool cgroup_exists(const std::string& path, const std::string& root) {
  std::error_code ec;
  if (detect_cgroup_mode(root) == CgroupMode::kV2) return fs::is_directory(under(root, path), ec);
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (entry.is_directory(ec) && fs::is_directory(under(entry.path().string(), path), ec)) return true;
  }
  return false;
}

}  // namespace wharf::local
