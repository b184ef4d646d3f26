// YAML app specs as JSON (people write specs in YAML, the API takes JSON), and JSON as YAML (-o yaml).
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

// Writes `value` as a YAML block document (no trailing newline). Every string that a YAML reader could
// take for something else (a number, boolean or null under YAML 1.2 or 1.1, an empty string) is quoted, so
// that yaml_to_json(json_to_yaml(v)) == v for objects, arrays and scalars alike.
std::string json_to_yaml(const nlohmann::json& value);

}  // namespace wharf::cli
