#include "cli/document_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/yaml_json.h"

namespace wharf::cli {

Outcome<std::string> read_text(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return usage_error("cannot read " + path + ": " + std::strerror(errno));
  text << in.rdbuf();
  return text.str();
}

Outcome<nlohmann::json> read_document(const std::string& path) {
  auto text = read_text(path);
  if (!text) return tl::unexpected(text.error());
  const std::string name = path == "-" ? "standard input" : path;
  const size_t first = text->find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return usage_error(name + " is empty");
  // JSON's own parser keeps numbers and messages as JSON users expect; a YAML flow mapping ("{a: 1}")
  // also starts with '{', so YAML gets its turn when JSON fails.
  std::string json_error;
  if ((*text)[first] == '{' || (*text)[first] == '[') {
    try {
      return nlohmann::json::parse(*text);
    } catch (const nlohmann::json::parse_error& e) {
      json_error = e.what();
    }
  }
  auto converted = yaml_to_json(*text);
  if (!converted && !json_error.empty()) return usage_error(name + " is not valid JSON: " + json_error);
  if (!converted) return usage_error(name + " is not valid YAML: " + converted.error());
  return std::move(*converted);
}

}  // namespace wharf::cli
