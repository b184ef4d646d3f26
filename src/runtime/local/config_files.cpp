#include "runtime/local/config_files.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace wharf::local {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTempPrefix = ".tmp-";

Status write_file(const fs::path& path, std::string_view data, fs::perms mode) {
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!f.flush()) return fail(Error::unavailable("cannot write " + path.string()));
  }
  std::error_code ec;
  fs::permissions(path, mode, fs::perm_options::replace, ec);
  if (ec) return fail(Error::unavailable("cannot set the mode of " + path.string() + ": " + ec.message()));
  return {};
}

Status make_dir(const fs::path& path, fs::perms mode) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (!ec) fs::permissions(path, mode, fs::perm_options::replace, ec);
  if (ec) return fail(Error::unavailable("cannot create " + path.string() + ": " + ec.message()));
  return {};
}

}  // namespace

std::string configs_dir(const std::string& root) {
  return root + "/configs";
}

std::string config_dir_name(const ReleaseKey& key, int64_t version) {
  return key.project + "_" + key.app + "_" + key.environment + "_" + std::to_string(version);
}

std::string config_dir(const std::string& root, const ReleaseKey& key, int64_t version) {
  return configs_dir(root) + "/" + config_dir_name(key, version);
}

std::map<std::string, std::string> config_env(const ConfigVersion& config) {
  std::map<std::string, std::string> env;
  for (const auto& item : config.items)
    if (!is_file_item(item) && is_env_var_name(item.key)) env[item.key] = item.value;
  return env;
}

Status ensure_config_dir(const std::string& root, const ReleaseKey& key, const ConfigVersion& config) {
  const fs::path final_dir = config_dir(root, key, config.version);
  std::error_code ec;
  if (fs::is_directory(final_dir, ec)) return {};
  if (auto s = make_dir(configs_dir(root), fs::perms::owner_all); !s) return s;
  static std::atomic<uint64_t> counter{0};
  const fs::path tmp =
      fs::path(configs_dir(root)) / (std::string(kTempPrefix) + config_dir_name(key, config.version) + "-" +
                                     std::to_string(::getpid()) + "-" + std::to_string(++counter));
  auto written = [&]() -> Status {
    if (auto s = make_dir(tmp, fs::perms::owner_all); !s) return s;
    const fs::perms readable =
        fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
    if (auto s = make_dir(tmp / "files",
                          readable | fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec);
        !s)
      return s;
    for (const auto& item : config.items) {
      if (!is_file_item(item)) continue;
      // Keys were validated on publish; never let one escape the directory all the same.
      if (!is_config_file_name(item.key))
        return fail(Error::invalid("config", "config item \"" + item.key + "\" is not a file name"));
      if (auto s = write_file(tmp / "files" / item.key, item.value, readable); !s) return s;
    }
    nlohmann::json env = config_env(config);
    return write_file(tmp / "env.json", env.dump(), fs::perms::owner_read | fs::perms::owner_write);
  }();
  if (written) {
    fs::rename(tmp, final_dir, ec);
    // Someone else renamed the same version into place first: theirs is as good.
    if (ec && fs::is_directory(final_dir)) ec.clear();
    if (ec) written = fail(Error::unavailable("cannot create " + final_dir.string() + ": " + ec.message()));
  }
  std::error_code ignored;
  fs::remove_all(tmp, ignored);
  return written;
}

Result<std::map<std::string, std::string>> read_config_env(const std::string& dir) {
  std::ifstream f(dir + "/env.json");
  if (!f) return fail(Error::unavailable("the config directory " + dir + " is missing"));
  try {
    return nlohmann::json::parse(f).get<std::map<std::string, std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return fail(Error::unavailable("cannot read " + dir + "/env.json: " + e.what()));
  }
}

size_t remove_config_dirs_except(const std::string& root, const std::set<std::string>& keep) {
  size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(configs_dir(root), ec)) {
    const std::string name = entry.path().filename().string();
    if (keep.contains(name)) continue;
    std::error_code rm;
    fs::remove_all(entry.path(), rm);
    if (!rm && !name.starts_with(kTempPrefix)) ++removed;
  }
  return removed;
}

}  // namespace wharf::local
