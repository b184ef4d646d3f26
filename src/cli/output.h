// Printing API objects: JSON for scripts (-o json), text cells for the human tables.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace wharf::cli {

// Pretty-prints `value` to stdout, as the API returned it.
void print_json(const nlohmann::json& value);

// `object[key]` as table text: strings as they are, numbers and booleans in JSON notation, anything
// absent or null as "" (which a Table shows as "-").
std::string text_of(const nlohmann::json& object, const char* key);

// "yes"/"no" for a boolean member; "" when absent.
std::string yes_no(const nlohmann::json& object, const char* key);

// Prints `message` (one line, for people) to stdout.
void say(const std::string& message);

// What a changing verb prints: the server's object with -o json, else `sentence` for people.
void print_result(bool as_json, const nlohmann::json& object, const std::string& sentence);

}  // namespace wharf::cli
