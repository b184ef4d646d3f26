#include "cli/output.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/yaml_json.h"

namespace wharf::cli {

namespace {
DocumentFormat document_format = DocumentFormat::kJson;
}  // namespace

void set_document_format(DocumentFormat format) {
  document_format = format;
}

void print_json(const nlohmann::json& value) {
  if (document_format == DocumentFormat::kYaml) {
    std::cout << json_to_yaml(value) << '\n';
    return;
  }
  // Replace invalid UTF-8 from the server rather than throwing half-way through the output.
  std::cout << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

std::string text_of(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string yes_no(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  if (it == object.end() || !it->is_boolean()) return "";
  return it->get<bool>() ? "yes" : "no";
}

void say(const std::string& message) {
  std::cout << message << '\n';
}

void print_result(bool as_json, const nlohmann::json& object, const std::string& sentence) {
  if (as_json) {
    print_json(object);
  } else {
    say(sentence);
  }
}

}  // namespace wharf::cli
