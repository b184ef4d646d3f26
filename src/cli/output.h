// Printing API objects: JSON or YAML for scripts (-o json|yaml), text cells for the human tables.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace wharf::cli {

// How print_json writes: JSON (-o json, the default) or the same value as YAML (-o yaml). Set once, from
// the global option, before a verb runs.
enum class DocumentFormat { kJson, kYaml };
void set_document_format(DocumentFormat format);

// Pretty-prints `value` to stdout, as the API returned it (in YAML with -o yaml).
void print_json(const nlohmann::json& value);

// `object[key]` as table text: strings as they are, numbers and booleans in JSON notation, anything
// absent or null as "" (which a Table shows as "-").
std::string text_of(const nlohmann::json& object, const char* key);

// "yes"/"no" for a boolean member; "" when absent.
std::string yes_no(const nlohmann::json& object, const char* key);

// Prints `message` (one line, for people) to stdout.
void say(const std::string& message);

// What a changing verb prints: the server's object with -o json|yaml, else `sentence` for people.
void print_result(bool as_json, const nlohmann::json& object, const std::string& sentence);

}  // namespace wharf::cli
