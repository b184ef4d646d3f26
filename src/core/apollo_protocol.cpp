#include "core/apollo_protocol.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/config_format.h"

namespace wharf {

namespace {

constexpr std::string_view kPropertiesSuffix = ".properties";

bool ends_with_ignoring_case(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), s.end() - static_cast<ptrdiff_t>(suffix.size()),
                    [](char lower, char c) { return std::tolower(static_cast<unsigned char>(c)) == lower; });
}

const ConfigItem* find_item(std::span<const ConfigItem> items, std::string_view key) {
  for (const auto& i : items)
    if (i.key == key) return &i;
  return nullptr;
}

}  // namespace

std::string normalize_apollo_namespace(std::string_view name) {
  if (ends_with_ignoring_case(name, kPropertiesSuffix)) name.remove_suffix(kPropertiesSuffix.size());
  return std::string(name);
}

std::optional<std::vector<std::pair<std::string, std::string>>> apollo_configurations(
    std::span<const ConfigItem> items, std::string_view raw_name) {
  const std::string name = normalize_apollo_namespace(raw_name);
  std::vector<std::pair<std::string, std::string>> out;
  if (name == "application") {
    for (const auto& i : items)
      if (!is_file_item(i)) out.emplace_back(i.key, i.value);
    return out;
  }
  if (const ConfigItem* file = find_item(items, name + std::string(kPropertiesSuffix));
      file && file->type == ConfigType::kProperties) {
    auto pairs = parse_properties(file->value, file->key);
    // Published items passed validation, so a properties file parses; should one not, serve its text.
    if (!pairs) return std::vector<std::pair<std::string, std::string>>{{"content", file->value}};
    std::stable_sort(pairs->begin(), pairs->end(), [](auto& a, auto& b) { return a.first < b.first; });
    return std::move(*pairs);
  }
  if (const ConfigItem* file = find_item(items, name); file && is_file_item(*file)) {
    out.emplace_back("content", file->value);
    return out;
  }
  return std::nullopt;
}

Result<std::vector<ApolloNotification>> parse_apollo_notifications(std::string_view text) {
  auto bad = [](std::string message) {
    return fail(Error::invalid("notifications",
                               "notifications must be a JSON array of "
                               "{\"namespaceName\":...,\"notificationId\":...}: " +
                                   std::move(message)));
  };
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return bad("not a JSON array");
  if (j.empty()) return bad("the array is empty");
  std::vector<ApolloNotification> out;
  for (const auto& n : j) {
    if (!n.is_object()) return bad("an element is not an object");
    auto name = n.find("namespaceName");
    if (name == n.end() || !name->is_string() || name->get_ref<const std::string&>().empty())
      return bad("an element has no namespaceName");
    ApolloNotification a{name->get<std::string>(), -1};
    if (auto id = n.find("notificationId"); id != n.end() && !id->is_null()) {
      if (!id->is_number_integer())
        return bad("notificationId of \"" + a.namespace_name + "\" is not an integer");
      a.notification_id = id->get<int64_t>();
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace wharf
