// The client's own file: which servers it knows (contexts) and which one it talks to now.
//
// Lives at $WHARF_CONFIG, else $XDG_CONFIG_HOME/wharf/config, else ~/.config/wharf/config. JSON:
//   {"current-context": "prod", "contexts": [{"name","server","token","project"}]}
// The file holds tokens: it is written with mode 0600, atomically (temp file + rename), so a crash or a
// concurrent `wharf login` never leaves a half-written or world-readable file.
#pragma once

#include <filesystem>
#include <string>
#include <tl/expected.hpp>
#include <vector>

namespace wharf::cli {

struct Context {
  std::string name;
  std::string server;   // base URL, "http://127.0.0.1:7070"
  std::string token;    // API token; never printed
  std::string project;  // default for -p; may be empty
};

struct CliConfig {
  std::vector<Context> contexts;
  std::string current_context;

  // The context called `name`, or nullptr. The pointer is valid until `contexts` changes.
  const Context* find(std::string_view name) const;
  Context* find(std::string_view name);
  const Context* current() const { return find(current_context); }
  // Replaces the context of the same name or appends it.
  void upsert(Context context);
};

// Where the file lives (see above). Does not touch the disk.
std::filesystem::path config_path();

// Reads the file; a missing file is an empty config. Errors (unreadable, not valid JSON, wrong shape)
// are messages naming the file.
tl::expected<CliConfig, std::string> load_config(const std::filesystem::path& path);

// Writes the file with mode 0600, creating its directory (0700) if needed. Blocks on disk I/O.
tl::expected<void, std::string> save_config(const std::filesystem::path& path, const CliConfig& config);

}  // namespace wharf::cli
