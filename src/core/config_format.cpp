#include "core/config_format.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>

namespace wharf {
namespace {

using json = nlohmann::json;

Error at_line(std::string_view field, int line, const std::string& message) {
  return Error::invalid(std::string(field), "line " + std::to_string(line) + ": " + message);
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\f';
}

bool parses_as_int(std::string_view s) {
  if (s.empty()) return false;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() && !(s.size() > 1 && s[0] == '0') &&
         !(s.size() > 2 && s[0] == '-' && s[1] == '0');
}

// Keeps track of keys already seen, to report a repeated one with both lines.
class SeenKeys {
 public:
  Status add(const std::string& key, int line, std::string_view field) {
    auto [it, inserted] = lines_.emplace(key, line);
    if (!inserted)
      return fail(at_line(
          field, line, "\"" + key + "\" appears again (first on line " + std::to_string(it->second) + ")"));
    return {};
  }

 private:
  std::map<std::string, int> lines_;
};

std::vector<const ConfigItem*> scalars_by_key(std::span<const ConfigItem> items) {
  std::vector<const ConfigItem*> out;
  for (const auto& i : items)
    if (!is_file_item(i)) out.push_back(&i);
  std::sort(out.begin(), out.end(), [](const ConfigItem* a, const ConfigItem* b) { return a->key < b->key; });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// UTF-8 <-> \uXXXX for .properties (ISO-8859-1 readers see only ASCII).

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes one UTF-8 sequence at s[i]; invalid bytes come out as themselves (Latin-1), never lost.
uint32_t next_code_point(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  int extra = b >= 0xF0 && b < 0xF8 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
  if (b < 0x80 || extra == 0 || i + extra >= s.size()) {
    ++i;
    return b;
  }
  uint32_t cp = b & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) {
      ++i;
      return b;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  i += extra + 1;
  return cp;
}

void append_u_escape(std::string& out, uint32_t unit) {
  static const char* kHex = "0123456789ABCDEF";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(unit >> shift) & 0xF];
}

void escape_properties(std::string& out, std::string_view s, bool is_key) {
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      uint32_t cp = next_code_point(s, i);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        append_u_escape(out, 0xD800 + (cp >> 10));
        append_u_escape(out, 0xDC00 + (cp & 0x3FF));
      } else {
        append_u_escape(out, cp);
      }
      continue;
    }
    ++i;
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\f':
        out += "\\f";
        break;
      case '=':
      case ':':
      case '#':
      case '!':
        out += '\\';
        out += c;
        break;
      case ' ':
        if (is_key || out.empty() || i == 1) out += '\\';
        out += ' ';
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          append_u_escape(out, static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// .env

// A value that needs no quotes when written back.
bool plain_env_value(std::string_view v) {
  for (char c : v) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("_-./:@+,%").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(pos, end - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    lines.push_back(l);
    pos = end + 1;
  }
  return lines;
}

// Reads a quoted value that starts after the opening quote at lines[n][from]; may span lines. Sets `n`
// to the line of the closing quote and `after` to the text after it.
Result<std::string> env_quoted(const std::vector<std::string_view>& lines, size_t& n, size_t from, char quote,
                               std::string_view& after, std::string_view key, std::string_view field) {
  const size_t start = n;
  std::string value;
  std::string_view rest = lines[n].substr(from);
  for (;;) {
    for (size_t k = 0; k < rest.size(); ++k) {
      char c = rest[k];
      if (c == quote) {
        after = rest.substr(k + 1);
        return value;
      }
      if (quote == '"' && c == '\\' && k + 1 < rest.size()) {
        char e = rest[++k];
        switch (e) {
          case 'n':
            value += '\n';
            break;
          case 'r':
            value += '\r';
            break;
          case 't':
            value += '\t';
            break;
          case '"':
          case '\\':
          case '$':
          case '`':
            value += e;
            break;
          default:
            value += '\\';
            value += e;
        }
        continue;
      }
      value += c;
    }
    if (++n >= lines.size())
      return fail(at_line(field, static_cast<int>(start) + 1,
                          "the quoted value of \"" + std::string(key) + "\" is not closed"));
    rest = lines[n];
    value += '\n';
  }
}

Result<std::vector<ConfigItem>> parse_env(std::string_view text, std::string_view field) {
  std::vector<ConfigItem> items;
  SeenKeys seen;
  const auto lines = split_lines(text);
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::string_view l = lines[n];
    const int line = static_cast<int>(n) + 1;
    size_t i = 0;
    while (i < l.size() && is_space(l[i])) ++i;
    if (i == l.size() || l[i] == '#') continue;
    if (l.substr(i).starts_with("export ")) {
      i += 7;
      while (i < l.size() && is_space(l[i])) ++i;
    }
    size_t eq = l.find('=', i);
    if (eq == std::string_view::npos) return fail(at_line(field, line, "expected KEY=VALUE"));
    std::string_view key = l.substr(i, eq - i);
    while (!key.empty() && is_space(key.back())) key.remove_suffix(1);
    if (key.empty()) return fail(at_line(field, line, "the key before '=' is empty"));
    if (key.find_first_of(" \t\"'") != std::string_view::npos)
      return fail(at_line(field, line, "the key \"" + std::string(key) + "\" contains spaces or quotes"));
    size_t v = eq + 1;
    while (v < l.size() && is_space(l[v])) ++v;
    std::string value;
    if (v < l.size() && (l[v] == '"' || l[v] == '\'')) {
      std::string_view after;
      auto quoted = env_quoted(lines, n, v + 1, l[v], after, key, field);
      if (!quoted) return fail(quoted.error());
      value = std::move(*quoted);
      size_t a = 0;
      while (a < after.size() && is_space(after[a])) ++a;
      if (a < after.size() && after[a] != '#')
        return fail(at_line(field, static_cast<int>(n) + 1,
                            "unexpected text after the closing quote of \"" + std::string(key) + "\""));
    } else {
      std::string_view raw = l.substr(v);
      size_t hash = raw.find(" #");
      if (hash != std::string_view::npos) raw = raw.substr(0, hash);
      while (!raw.empty() && is_space(raw.back())) raw.remove_suffix(1);
      value = std::string(raw);
    }
    std::string k(key);
    if (auto s = seen.add(k, line, field); !s) return fail(s.error());
    ConfigItem item;
    item.key = std::move(k);
    item.value = std::move(value);
    items.push_back(std::move(item));
  }
  return items;
}

void format_env(std::string& out, const ConfigItem& item) {
  out += item.key;
  out += '=';
  const std::string& v = item.value;
  if (plain_env_value(v)) {
    out += v;
  } else if (v.find('\'') == std::string::npos && v.find('\n') == std::string::npos &&
             v.find('\r') == std::string::npos) {
    out += '\'';
    out += v;
    out += '\'';
  } else {
    out += '"';
    for (char c : v) {
      switch (c) {
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '"':
        case '\\':
        case '$':
        case '`':
          out += '\\';
          out += c;
          break;
        default:
          out += c;
      }
    }
    out += '"';
  }
  out += '\n';
}

// ---------------------------------------------------------------------------------------------------------
// YAML

Result<std::vector<ConfigItem>> parse_yaml(std::string_view text, std::string_view field) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(at_line(field, std::max(1, e.mark.line + 1), e.msg));
  }
  std::vector<ConfigItem> items;
  if (!root || root.IsNull()) return items;
  if (!root.IsMap())
    return fail(at_line(field, root.Mark().line + 1,
                        "expected a map of key: value; put other YAML in a yaml file item such as "
                        "application.yaml"));
  SeenKeys seen;
  for (const auto& kv : root) {
    const int line = kv.first.Mark().line + 1;
    if (!kv.first.IsScalar()) return fail(at_line(field, line, "a key must be a plain string"));
    std::string key = kv.first.Scalar();
    if (key.empty()) return fail(at_line(field, line, "the key is empty"));
    if (auto s = seen.add(key, line, field); !s) return fail(s.error());
    ConfigItem item;
    item.key = key;
    const YAML::Node& v = kv.second;
    if (v.IsMap() || v.IsSequence())
      return fail(at_line(field, v.Mark().line + 1,
                          "the value of \"" + key + "\" is a " + (v.IsMap() ? "map" : "list") +
                              "; only a flat key: value map can be imported (put nested YAML in a yaml "
                              "file item such as application.yaml)"));
    if (v.IsScalar()) {
      item.value = v.Scalar();
      if (v.Tag() == "?") {
        if (parses_as_int(item.value)) item.type = ConfigType::kInt;
        if (item.value == "true" || item.value == "false") item.type = ConfigType::kBool;
      }
    }
    items.push_back(std::move(item));
  }
  return items;
}

bool yaml_plain_key(std::string_view key) {
  if (!is_env_var_name(key)) return false;
  std::string lower;
  for (char c : key) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  for (const char* word : {"null", "true", "false", "yes", "no", "on", "off", "y", "n"})
    if (lower == word) return false;
  return true;
}

std::string format_yaml(const std::vector<const ConfigItem*>& items) {
  if (items.empty()) return "{}\n";
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const ConfigItem* i : items) {
    out << YAML::Key;
    if (yaml_plain_key(i->key)) {
      out << i->key;
    } else {
      out << YAML::DoubleQuoted << i->key;
    }
    out << YAML::Value;
    const bool typed = (i->type == ConfigType::kInt && parses_as_int(i->value)) ||
                       (i->type == ConfigType::kBool && (i->value == "true" || i->value == "false"));
    if (typed) {
      out << i->value;
    } else {
      out << YAML::DoubleQuoted << i->value;
    }
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

// ---------------------------------------------------------------------------------------------------------
// JSON

// Where `"key":` first appears, for errors about a key's value (nlohmann keeps no positions).
int json_key_line(std::string_view text, const std::string& key) {
  std::string quoted = json(key).dump();
  size_t at = text.find(quoted);
  return at == std::string_view::npos ? 1 : line_of(text, at);
}

Result<std::vector<ConfigItem>> parse_json(std::string_view text, std::string_view field) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ...": keep from the
    // column on, the line is ours.
    std::string msg = e.what();
    size_t at = msg.find("column");
    msg = at == std::string::npos ? msg : msg.substr(at);
    return fail(at_line(field, line_of(text, e.byte == 0 ? 0 : e.byte - 1), msg));
  }
  if (!root.is_object()) return fail(at_line(field, 1, "expected a JSON object of \"key\": value"));
  std::vector<ConfigItem> items;
  for (const auto& [key, v] : root.items()) {
    const int line = json_key_line(text, key);
    if (key.empty()) return fail(at_line(field, line, "the key is empty"));
    ConfigItem item;
    item.key = key;
    switch (v.type()) {
      case json::value_t::string:
        item.value = v.get<std::string>();
        break;
      case json::value_t::number_integer:
      case json::value_t::number_unsigned:
        item.value = v.dump();
        item.type = ConfigType::kInt;
        break;
      case json::value_t::number_float:
        item.value = v.dump();
        break;
      case json::value_t::boolean:
        item.value = v.get<bool>() ? "true" : "false";
        item.type = ConfigType::kBool;
        break;
      case json::value_t::null:
        break;
      default:
        return fail(at_line(field, line,
                            "the value of \"" + key + "\" is an " + (v.is_object() ? "object" : "array") +
                                "; only a flat object can be imported (put nested JSON in a json file item "
                                "such as settings.json, or as a string)"));
    }
    items.push_back(std::move(item));
  }
  return items;
}

std::string format_json(const std::vector<const ConfigItem*>& items) {
  json out = json::object();
  for (const ConfigItem* i : items) {
    if (i->type == ConfigType::kInt && parses_as_int(i->value)) {
      int64_t v = 0;
      std::from_chars(i->value.data(), i->value.data() + i->value.size(), v);
      out[i->key] = v;
    } else if (i->type == ConfigType::kBool && (i->value == "true" || i->value == "false")) {
      out[i->key] = i->value == "true";
    } else {
      out[i->key] = i->value;
    }
  }
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string_view to_string(ConfigFormat format) {
  switch (format) {
    case ConfigFormat::kProperties:
      return "properties";
    case ConfigFormat::kEnv:
      return "env";
    case ConfigFormat::kYaml:
      return "yaml";
    case ConfigFormat::kJson:
      return "json";
  }
  return "";
}

std::optional<ConfigFormat> parse_config_format(std::string_view text) {
  for (auto f : {ConfigFormat::kProperties, ConfigFormat::kEnv, ConfigFormat::kYaml, ConfigFormat::kJson})
    if (to_string(f) == text) return f;
  if (text == "yml") return ConfigFormat::kYaml;
  if (text == ".env" || text == "dotenv") return ConfigFormat::kEnv;
  return std::nullopt;
}

int line_of(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<ptrdiff_t>(offset), '\n'));
}

Result<std::vector<std::pair<std::string, std::string>>> parse_properties(std::string_view text,
                                                                          std::string_view field) {
  std::vector<std::pair<std::string, std::string>> out;
  SeenKeys seen;
  size_t pos = 0;
  int line = 0;
  while (pos < text.size()) {
    // One logical line: natural lines joined while they end in an odd number of backslashes.
    std::string logical;
    const int start_line = line + 1;
    bool first = true;
    for (;;) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view natural = text.substr(pos, end - pos);
      if (!natural.empty() && natural.back() == '\r') natural.remove_suffix(1);
      pos = end + 1;
      ++line;
      size_t lead = 0;
      while (lead < natural.size() && is_space(natural[lead])) ++lead;
      natural.remove_prefix(lead);
      if (first && (natural.empty() || natural[0] == '#' || natural[0] == '!')) break;
      first = false;
      size_t backslashes = 0;
      while (backslashes < natural.size() && natural[natural.size() - 1 - backslashes] == '\\') ++backslashes;
      if (backslashes % 2 == 1 && pos <= text.size()) {
        logical += natural.substr(0, natural.size() - 1);
        if (pos >= text.size()) break;
        continue;
      }
      logical += natural;
      break;
    }
    if (logical.empty()) continue;

    // Key: up to the first unescaped '=', ':' or white space.
    std::string key, value;
    size_t i = 0;
    auto unescape = [&](std::string& into, char e) -> Status {
      switch (e) {
        case 't':
          into += '\t';
          return {};
        case 'n':
          into += '\n';
          return {};
        case 'r':
          into += '\r';
          return {};
        case 'f':
          into += '\f';
          return {};
        case 'u': {
          auto hex4 = [&](uint32_t& unit) {
            if (i + 4 > logical.size()) return false;
            unit = 0;
            for (int k = 0; k < 4; ++k) {
              char h = logical[i + k];
              uint32_t d = h >= '0' && h <= '9'   ? h - '0'
                           : h >= 'a' && h <= 'f' ? h - 'a' + 10
                           : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                  : 16;
              if (d == 16) return false;
              unit = unit * 16 + d;
            }
            i += 4;
            return true;
          };
          uint32_t unit = 0;
          if (!hex4(unit)) return fail(at_line(field, start_line, "malformed \\uXXXX escape"));
          if (unit >= 0xD800 && unit < 0xDC00 && i + 6 <= logical.size() && logical[i] == '\\' &&
              logical[i + 1] == 'u') {
            i += 2;
            uint32_t low = 0;
            if (!hex4(low)) return fail(at_line(field, start_line, "malformed \\uXXXX escape"));
            if (low >= 0xDC00 && low < 0xE000) {
              unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            } else {
              append_utf8(into, unit);
              unit = low;
            }
          }
          append_utf8(into, unit);
          return {};
        }
        default:
          into += e;
          return {};
      }
    };
    for (; i < logical.size(); ++i) {
      char c = logical[i];
      if (c == '\\' && i + 1 < logical.size()) {
        i += 2;
        if (auto s = unescape(key, logical[i - 1]); !s) return fail(s.error());
        --i;
        continue;
      }
      if (c == '=' || c == ':' || is_space(c)) break;
      key += c;
    }
    while (i < logical.size() && is_space(logical[i])) ++i;
    if (i < logical.size() && (logical[i] == '=' || logical[i] == ':')) ++i;
    while (i < logical.size() && is_space(logical[i])) ++i;
    for (; i < logical.size(); ++i) {
      char c = logical[i];
      if (c == '\\' && i + 1 < logical.size()) {
        i += 2;
        if (auto s = unescape(value, logical[i - 1]); !s) return fail(s.error());
        --i;
        continue;
      }
      value += c;
    }
    if (key.empty()) return fail(at_line(field, start_line, "the key is empty"));
    if (auto s = seen.add(key, start_line, field); !s) return fail(s.error());
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

Result<std::vector<ConfigItem>> parse_config_text(ConfigFormat format, std::string_view text,
                                                  std::string_view field) {
  switch (format) {
    case ConfigFormat::kProperties: {
      auto pairs = parse_properties(text, field);
      if (!pairs) return fail(pairs.error());
      std::vector<ConfigItem> items;
      items.reserve(pairs->size());
      for (auto& [k, v] : *pairs) {
        ConfigItem item;
        item.key = std::move(k);
        item.value = std::move(v);
        items.push_back(std::move(item));
      }
      return items;
    }
    case ConfigFormat::kEnv:
      return parse_env(text, field);
    case ConfigFormat::kYaml:
      return parse_yaml(text, field);
    case ConfigFormat::kJson:
      return parse_json(text, field);
  }
  return fail(Error::invalid(std::string(field), "unknown format"));
}

std::string format_config_text(ConfigFormat format, std::span<const ConfigItem> items) {
  auto sorted = scalars_by_key(items);
  std::string out;
  switch (format) {
    case ConfigFormat::kProperties:
      for (const ConfigItem* i : sorted) {
        escape_properties(out, i->key, true);
        out += '=';
        std::string value;
        escape_properties(value, i->value, false);
        out += value;
        out += '\n';
      }
      return out;
    case ConfigFormat::kEnv:
      for (const ConfigItem* i : sorted) format_env(out, *i);
      return out;
    case ConfigFormat::kYaml:
      return format_yaml(sorted);
    case ConfigFormat::kJson:
      return format_json(sorted);
  }
  return out;
}

}  // namespace wharf
