// Reading the object a user hands to `-f FILE`: a path or "-" for stdin, in YAML or JSON.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "cli/failure.h"

namespace wharf::cli {

// Reads `path` ("-" = stdin) and parses it: JSON when it starts with '{' or '[', YAML otherwise.
// Unreadable or malformed input is a usage failure (exit 2) naming the file and, for YAML, the line.
Outcome<nlohmann::json> read_document(const std::string& path);

}  // namespace wharf::cli
