// YAML app specs as JSON: people write specs in YAML, the API takes JSON.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace wharf::cli {

// Converts one YAML document to JSON. Plain scalars are typed by the YAML 1.2 core schema (null,
// true/false, integers, floats; "yes"/"on" stay strings); quoted or explicitly tagged scalars stay
// strings. Under the keys "env", "args" and "command" every scalar stays a string as written (null as ""),
// since those are handed to a process as text (`PORT: 8080` means "8080"). Errors name the line and column.
tl::expected<nlohmann::json, std::string> yaml_to_json(std::string_view text);

}  // namespace wharf::cli
