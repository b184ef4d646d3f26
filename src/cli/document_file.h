// Reading what a user hands over in a file (`-f FILE`): a path or "-" for stdin; objects in YAML or JSON.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "cli/failure.h"

namespace wharf::cli {

// The content of `path` ("-" = stdin) as it is; an unreadable file is a usage failure (exit 2).
Outcome<std::string> read_text(const std::string& path);

// Reads `path` ("-" = stdin) and parses it: JSON when it starts with '{' or '[', YAML otherwise.
// Unreadable or malformed input is a usage failure (exit 2) naming the file and, for YAML, the line.
Outcome<nlohmann::json> read_document(const std::string& path);

}  // namespace wharf::cli
