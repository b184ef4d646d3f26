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

}  // namespace wharf::cli
