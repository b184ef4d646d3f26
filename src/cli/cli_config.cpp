#include "cli/cli_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace wharf::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string errno_text() {
  return std::strerror(errno);
}

json to_json(const CliConfig& config) {
  json contexts = json::array();
  for (const auto& c : config.contexts) {
    contexts.push_back({{"name", c.name}, {"server", c.server}, {"token", c.token}, {"project", c.project}});
  }
  return {{"current-context", config.current_context}, {"contexts", std::move(contexts)}};
}

std::string string_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

tl::expected<CliConfig, std::string> from_json(const json& j) {
  if (!j.is_object()) return tl::unexpected(std::string("it must hold a JSON object"));
  CliConfig config;
  config.current_context = string_field(j, "current-context");
  auto contexts = j.find("contexts");
  if (contexts == j.end() || contexts->is_null()) return config;
  if (!contexts->is_array()) return tl::unexpected(std::string("\"contexts\" must be an array"));
  for (const auto& c : *contexts) {
    if (!c.is_object()) return tl::unexpected(std::string("each context must be an object"));
    config.contexts.push_back({string_field(c, "name"), string_field(c, "server"), string_field(c, "token"),
                               string_field(c, "project")});
  }
  return config;
}

// Writes all of `text` to fd, retrying short writes.
bool write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

const Context* CliConfig::find(std::string_view name) const {
  for (const auto& c : contexts)
    if (c.name == name) return &c;
  return nullptr;
}

Context* CliConfig::find(std::string_view name) {
  return const_cast<Context*>(static_cast<const CliConfig*>(this)->find(name));
}

void CliConfig::upsert(Context context) {
  if (Context* existing = find(context.name)) {
    *existing = std::move(context);
  } else {
    contexts.push_back(std::move(context));
  }
}

fs::path config_path() {
  if (auto explicit_path = env_or_empty("WHARF_CONFIG"); !explicit_path.empty()) return explicit_path;
  if (auto xdg = env_or_empty("XDG_CONFIG_HOME"); !xdg.empty()) return fs::path(xdg) / "wharf" / "config";
  return fs::path(env_or_empty("HOME")) / ".config" / "wharf" / "config";
}

tl::expected<CliConfig, std::string> load_config(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec) && !ec) return CliConfig{};
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected("cannot read " + path.string() + ": " + errno_text());
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return tl::unexpected(path.string() + " is not valid JSON; fix or delete it");
  auto config = from_json(j);
  if (!config) return tl::unexpected(path.string() + ": " + config.error());
  return config;
}

tl::expected<void, std::string> save_config(const fs::path& path, const CliConfig& config) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return tl::unexpected("cannot create " + dir.string() + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
  }
  // mkstemp creates the file with mode 0600 before any token is written into it.
  std::string temp = (dir / (path.filename().string() + ".XXXXXX")).string();
  int fd = ::mkstemp(temp.data());
  if (fd < 0) return tl::unexpected("cannot write in " + dir.string() + ": " + errno_text());
  const std::string text = to_json(config).dump(2) + "\n";
  const bool ok = write_all(fd, text) && ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
  const std::string write_error = errno_text();
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string why = ok ? errno_text() : write_error;
    ::unlink(temp.c_str());
    return tl::unexpected("cannot write " + path.string() + ": " + why);
  }
  return {};
}

}  // namespace wharf::cli
