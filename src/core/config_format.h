// Import and export of config items as text: Java .properties, .env, a flat YAML map and a flat JSON
// object. Pure.
//
// Only scalar items travel this way (files are items of their own). Importing infers types where the
// format has them (JSON numbers and booleans, plain YAML integers and true/false) and reads everything
// else as strings. Exporting then importing gives back the same keys, values and types for every format.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config_item.h"
#include "core/error.h"

namespace wharf {

enum class ConfigFormat { kProperties, kEnv, kYaml, kJson };

// "properties", "env", "yaml", "json".
std::string_view to_string(ConfigFormat format);
std::optional<ConfigFormat> parse_config_format(std::string_view text);

// Parses `text` into items (key, value, inferred type; comments, validation and secret left empty), in
// the order of the text. A syntax error, an empty or repeated key, or a nested value is `invalid` with
// field `field` and a message that starts with the line number ("line 3: ...").
Result<std::vector<ConfigItem>> parse_config_text(ConfigFormat format, std::string_view text,
                                                  std::string_view field = "text");

// Writes the scalar items of `items` (file items are skipped) in `format`, sorted by key. Values are
// written as given: mask secrets first.
std::string format_config_text(ConfigFormat format, std::span<const ConfigItem> items);

// The key/value pairs of a Java .properties text (escapes, continuation lines and comments as
// java.util.Properties reads them). Errors as parse_config_text's, with field `field`.
Result<std::vector<std::pair<std::string, std::string>>> parse_properties(std::string_view text,
                                                                          std::string_view field);

// The 1-based line of byte `offset` of `text`.
int line_of(std::string_view text, size_t offset);

}  // namespace wharf
