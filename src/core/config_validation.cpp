#include "core/config_validation.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/config_format.h"

namespace wharf {
namespace {

// std::regex backtracks recursively: keep what it runs on short (scalars are capped anyway).
constexpr size_t kMaxRegexInput = 4096;

std::string at(size_t i, std::string_view tail) {
  return "items[" + std::to_string(i) + "]" + std::string(tail);
}

std::string size_text(size_t bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
    return std::to_string(bytes / (1024 * 1024)) + " MiB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::optional<int64_t> to_int(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// The value's own format. Returns the message, or "" when fine. Messages never quote a secret value.
std::string check_value(const ConfigItem& item) {
  const std::string& v = item.value;
  const std::string shown = item.secret ? "the value" : "\"" + v.substr(0, 40) + "\"";
  switch (item.type) {
    case ConfigType::kString:
    case ConfigType::kText:
      return "";
    case ConfigType::kInt:
      if (!to_int(v)) return shown + " is not an integer (int items hold -2^63 .. 2^63-1)";
      return "";
    case ConfigType::kBool:
      if (v != "true" && v != "false") return "a bool item is \"true\" or \"false\"; got " + shown;
      return "";
    case ConfigType::kJson:
      try {
        auto parsed = nlohmann::json::parse(v);
        (void)parsed;
      } catch (const nlohmann::json::parse_error& e) {
        return "not well-formed JSON: line " + std::to_string(line_of(v, e.byte == 0 ? 0 : e.byte - 1)) +
               (item.secret ? std::string() : ": " + std::string(e.what()));
      }
      return "";
    case ConfigType::kYaml:
      try {
        (void)YAML::LoadAll(v);
      } catch (const YAML::Exception& e) {
        return "not well-formed YAML: line " + std::to_string(std::max(1, e.mark.line + 1)) +
               (item.secret ? std::string() : ": " + e.msg);
      }
      return "";
    case ConfigType::kProperties: {
      auto r = parse_properties(v, "value");
      if (!r) return "not a well-formed .properties file: " + r.error().message;
      return "";
    }
  }
  return "";
}

}  // namespace

Status check_config_limits(std::span<const ConfigItem> items) {
  if (items.size() > kMaxConfigItems)
    return fail(Error::invalid("items", "at most " + std::to_string(kMaxConfigItems) +
                                            " items per app and environment; got " +
                                            std::to_string(items.size())));
  size_t total = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const ConfigItem& item = items[i];
    if (item.key.size() > kMaxConfigKeyLength)
      return fail(Error::invalid(
          at(i, ".key"), "the key must be at most " + std::to_string(kMaxConfigKeyLength) + " characters"));
    if (item.comment.size() > kMaxConfigCommentLength)
      return fail(Error::invalid(
          at(i, ".comment"),
          "the comment must be at most " + std::to_string(kMaxConfigCommentLength) + " characters"));
    if (item.validation.regex.size() > kMaxConfigRegexLength)
      return fail(Error::invalid(
          at(i, ".validation.regex"),
          "the regex must be at most " + std::to_string(kMaxConfigRegexLength) + " characters"));
    const size_t limit = is_file_item(item) ? kMaxConfigFileBytes : kMaxConfigScalarBytes;
    if (item.value.size() > limit)
      return fail(Error::invalid(
          at(i, ".value"), "the value of \"" + item.key + "\" is " + size_text(item.value.size()) + "; a " +
                               (is_file_item(item) ? "file" : "scalar") + " item holds at most " +
                               size_text(limit) +
                               (is_file_item(item) ? "" : " (use a file item, such as app.yaml, for more)")));
    total += config_item_size(item);
  }
  if (total > kMaxConfigVersionBytes)
    return fail(Error::invalid("items", "the config holds " + size_text(total) + "; at most " +
                                            size_text(kMaxConfigVersionBytes) +
                                            " per app and environment (keys and values together)"));
  return {};
}

std::vector<ConfigItemError> validate_config_items(std::span<const ConfigItem> items) {
  std::vector<ConfigItemError> errors;
  auto add = [&](size_t i, std::string_view tail, std::string message) {
    errors.push_back({at(i, tail), items[i].key, std::move(message)});
  };
  if (auto s = check_config_limits(items); !s) {
    const std::string& f = s.error().field;
    std::string key;
    if (f.starts_with("items[")) {
      size_t i = std::stoul(f.substr(6));
      if (i < items.size()) key = items[i].key;
    }
    errors.push_back({f, key, s.error().message});
  }

  std::map<std::string, size_t> first;
  for (size_t i = 0; i < items.size(); ++i) {
    const ConfigItem& item = items[i];
    if (auto s = validate_config_key(item, at(i, ".key")); !s) {
      add(i, ".key", s.error().message);
    } else if (auto [it, inserted] = first.emplace(item.key, i); !inserted) {
      add(i, ".key", "\"" + item.key + "\" is already the key of items[" + std::to_string(it->second) + "]");
    }
    const size_t limit = is_file_item(item) ? kMaxConfigFileBytes : kMaxConfigScalarBytes;
    if (item.value.size() > limit) continue;  // reported by the limits; parsing it would be slow

    // The validation rules themselves.
    const ConfigValidation& rule = item.validation;
    bool rule_ok = true;
    std::optional<std::regex> re;
    if (!rule.regex.empty()) {
      if (is_file_item(item)) {
        add(i, ".validation.regex",
            "a regex applies to scalar items, not to " + std::string(to_string(item.type)) + " files");
        rule_ok = false;
      } else if (rule.regex.size() > kMaxConfigRegexLength) {
        rule_ok = false;  // reported by the limits
      } else {
        try {
          re.emplace(rule.regex, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          add(i, ".validation.regex", "the regex does not compile: " + std::string(e.what()));
          rule_ok = false;
        }
      }
    }
    if ((rule.min || rule.max) && item.type != ConfigType::kInt) {
      add(i, rule.min ? ".validation.min" : ".validation.max", "a range applies to int items only");
      rule_ok = false;
    }
    if (rule.min && rule.max && *rule.min > *rule.max) {
      add(i, ".validation.max",
          "max " + std::to_string(*rule.max) + " is below min " + std::to_string(*rule.min));
      rule_ok = false;
    }

    // The value.
    if (std::string m = check_value(item); !m.empty()) {
      add(i, ".value", std::move(m));
      continue;
    }
    if (!rule_ok) continue;
    if (item.type == ConfigType::kInt) {
      int64_t v = *to_int(item.value);
      const std::string shown = item.secret ? "the value" : std::to_string(v);
      if (rule.min && v < *rule.min)
        add(i, ".value", shown + " is below the minimum " + std::to_string(*rule.min));
      if (rule.max && v > *rule.max)
        add(i, ".value", shown + " is above the maximum " + std::to_string(*rule.max));
    }
    if (re) {
      if (item.value.size() > kMaxRegexInput) {
        add(i, ".value", "regex validation applies to values of up to " + size_text(kMaxRegexInput));
        continue;
      }
      bool matched = false;
      try {
        matched = std::regex_match(item.value, *re);
      } catch (const std::regex_error& e) {
        add(i, ".validation.regex", "the regex cannot be applied: " + std::string(e.what()));
        continue;
      }
      if (!matched) {
        add(i, ".value",
            item.secret ? "the value does not match /" + rule.regex + "/"
                        : "\"" + item.value.substr(0, 80) + "\" does not match /" + rule.regex + "/");
      }
    }
  }
  return errors;
}

}  // namespace wharf
