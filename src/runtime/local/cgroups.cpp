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

Result<CgroupUsage> read_cgroup_usage(const std::string& path, const std::string& root) {
  CgroupUsage u;
  std::string text;
  if (detect_cgroup_mode(root) == CgroupMode::kV2) {
    const fs::path dir = fs::path(root) / fs::path(path).relative_path();
    if (!read_text(dir / "cpu.stat", text)) return fail(Error::not_found("no cgroup at " + dir.string()));
    u.cpu_seconds = static_cast<double>(keyed_value(text, "usage_usec")) / 1e6;
    if (read_text(dir / "memory.current", text)) u.memory_bytes = std::atoll(text.c_str());
    return u;
  }
  const fs::path rel = fs::path(path).relative_path();
  if (!read_text(fs::path(root) / "cpuacct" / rel / "cpuacct.usage", text))
    return fail(Error::not_found("no cgroup at " + (fs::path(root) / "cpuacct" / rel).string()));
  u.cpu_seconds = static_cast<double>(std::atoll(text.c_str())) / 1e9;
  if (read_text(fs::path(root) / "memory" / rel / "memory.usage_in_bytes", text))
    u.memory_bytes = std::atoll(text.c_str());
  return u;
}

void remove_cgroup(const std::string& path, const std::string& root) {
  std::error_code ec;
  const fs::path rel = fs::path(path).relative_path();
  if (detect_cgroup_mode(root) == CgroupMode::kV2) {
    fs::remove(fs::path(root) / rel, ec);
    return;
  }
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (entry.is_directory(ec) && !entry.is_symlink(ec)) fs::remove(entry.path() / rel, ec);
  }
}

}  // namespace wharf::local
