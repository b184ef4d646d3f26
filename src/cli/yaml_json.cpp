#include "cli/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <regex>

namespace wharf::cli {
namespace {

using nlohmann::json;

bool is_text_key(const std::string& key) {
  return key == "env" || key == "args" || key == "command";
}

std::optional<json> integer(const std::string& s) {
  std::string_view digits = s;
  int base = 10;
  bool negative = false;
  if (digits.starts_with('-') || digits.starts_with('+')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  } else if (digits.starts_with("0x") || digits.starts_with("0o")) {
    base = digits[1] == 'x' ? 16 : 8;
    digits.remove_prefix(2);
  }
  if (digits.empty()) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;  // also: out of range
  return json(negative ? -v : v);
}

std::optional<json> floating(const std::string& s) {
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (!std::regex_match(s, kFloat)) return std::nullopt;
  try {
    return json(std::stod(s));
  } catch (const std::exception&) {
    return std::nullopt;  // out of range: keep the text
  }
}

// YAML 1.2 core schema resolution of a plain scalar.
json resolve_plain(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (auto i = integer(s)) return *i;
  if (auto f = floating(s)) return *f;
  return s;
}

json convert(const YAML::Node& node, bool as_text);

json convert_map(const YAML::Node& node, bool as_text) {
  json out = json::object();
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) {
      throw YAML::ParserException(entry.first.Mark(),
                                  "a mapping key must be a plain value, not a list or map");
    }
    const std::string key = entry.first.Scalar();
    out[key] = convert(entry.second, as_text || is_text_key(key));
  }
  return out;
}

json convert(const YAML::Node& node, bool as_text) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return as_text ? json("") : json(nullptr);  // `KEY:` under env sets the variable, empty
    case YAML::NodeType::Scalar:
      // Tag "?" marks a plain (unquoted, untagged) scalar; "!" a quoted one.
      if (as_text || node.Tag() != "?") return node.Scalar();
      return resolve_plain(node.Scalar());
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(convert(item, as_text));
      return out;
    }
    case YAML::NodeType::Map:
      return convert_map(node, as_text);
  }
  return nullptr;
}

// Whether the plain form of `s` would be read as something other than this string: by the core schema
// above, as a YAML 1.1 boolean (yes, off, ...), or as a 1.1 number form (1_000, 1:30, .5).
bool needs_quotes(const std::string& s) {
  if (!resolve_plain(s).is_string()) return true;
  static const std::regex kYaml11Words("y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF");
  return std::regex_match(s, kYaml11Words) ||
         std::string_view("0123456789+-.").find(s.front()) != std::string_view::npos;
}

void emit(YAML::Emitter& out, const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key;
        emit(out, json(key));
        out << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      return;
    case json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& item : value) emit(out, item);
      out << YAML::EndSeq;
      return;
    case json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      if (needs_quotes(s)) out << YAML::DoubleQuoted;
      out << s;
      return;
    }
    case json::value_t::null:
      out << YAML::Null;
      return;
    default:  // numbers and booleans are written as JSON writes them, which YAML reads back
      out << value.dump();
  }
}

std::string where(const YAML::Mark& mark) {
  if (mark.is_null()) return "";
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1) + ": ";
}

}  // namespace

tl::expected<json, std::string> yaml_to_json(std::string_view text) {
  try {
    auto documents = YAML::LoadAll(std::string(text));
    if (documents.size() != 1)
      return tl::unexpected("expected one YAML document, found " + std::to_string(documents.size()));
    return convert(documents.front(), false);
  } catch (const YAML::Exception& e) {
    return tl::unexpected(where(e.mark) + e.msg);
  }
}

std::string json_to_yaml(const json& value) {
  YAML::Emitter out;
  emit(out, value);
  return out.c_str();
}

}  // namespace wharf::cli
