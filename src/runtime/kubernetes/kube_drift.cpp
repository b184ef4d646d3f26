#include "runtime/kubernetes/kube_drift.h"

#include "core/quantity.h"

namespace wharf::kube {
namespace {

using json = nlohmann::json;

std::string show(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  std::string text = v.dump();
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

// Quantities under a "resources" object: "cpu" in millicores, anything else (memory, storage) in bytes.
bool same_quantity(const std::string& key, const json& a, const json& b) {
  if (!a.is_string() || !b.is_string()) return false;
  auto parse = [&](const json& v) {
    return key == "cpu" ? parse_cpu_millis(v.get<std::string>(), key)
                        : parse_memory_bytes(v.get<std::string>(), key);
  };
  auto x = parse(a), y = parse(b);
  return x && y && *x == *y;
}

void compare(const json& desired, const json& observed, const std::string& path, bool in_resources,
             std::vector<std::string>& out);

// The API server leaves out fields with their zero value (Go's omitempty): absent is the same as sent.
bool is_zero(const json& v) {
  return v.is_null() || v == 0 || v == false || (v.is_string() && v.get_ref<const std::string&>().empty()) ||
         (v.is_structured() && v.empty());
}

const json* find_named(const json& list, const json& name) {
  for (const auto& item : list)
    if (item.is_object() && item.contains("name") && item["name"] == name) return &item;
  return nullptr;
}

void compare_list(const json& desired, const json& observed, const std::string& path, bool in_resources,
                  std::vector<std::string>& out) {
  for (size_t i = 0; i < desired.size(); ++i) {
    const json& d = desired[i];
    if (d.is_object() && d.contains("name")) {
      const json* o = find_named(observed, d["name"]);
      std::string item_path = path + "[" + show(d["name"]) + "]";
      if (!o)
        out.push_back(item_path + ": present -> (removed)");
      else
        compare(d, *o, item_path, in_resources, out);
    } else if (i >= observed.size()) {
      out.push_back(path + "[" + std::to_string(i) + "]: " + show(d) + " -> (removed)");
    } else {
      compare(d, observed[i], path + "[" + std::to_string(i) + "]", in_resources, out);
    }
  }
}

void compare(const json& desired, const json& observed, const std::string& path, bool in_resources,
             std::vector<std::string>& out) {
  if (desired.is_object()) {
    if (!observed.is_object()) {
      out.push_back(path + ": " + show(desired) + " -> " + show(observed));
      return;
    }
    for (const auto& [key, value] : desired.items()) {
      std::string child = path.empty() ? key : path + "." + key;
      auto it = observed.find(key);
      if (it == observed.end()) {
        if (!is_zero(value)) out.push_back(child + ": " + show(value) + " -> (removed)");
        continue;
      }
      if (in_resources && !value.is_structured()) {
        if (value != *it && !same_quantity(key, value, *it))
          out.push_back(child + ": " + show(value) + " -> " + show(*it));
        continue;
      }
      compare(value, *it, child, in_resources || key == "resources", out);
    }
    return;
  }
  if (desired.is_array()) {
    if (!observed.is_array()) {
      out.push_back(path + ": " + show(desired) + " -> " + show(observed));
      return;
    }
    compare_list(desired, observed, path, in_resources, out);
    return;
  }
  if (desired != observed) out.push_back(path + ": " + show(desired) + " -> " + show(observed));
}

}  // namespace

std::vector<std::string> drift_between(const json& desired, const json& observed) {
  std::vector<std::string> out;
  compare(desired, observed, "", false, out);
  return out;
}

std::string describe_drift(const std::vector<std::string>& differences, size_t max_items) {
  std::string text;
  for (size_t i = 0; i < differences.size() && i < max_items; ++i) text += (i ? "; " : "") + differences[i];
  if (differences.size() > max_items)
    text += "; and " + std::to_string(differences.size() - max_items) + " more";
  return text;
}

}  // namespace wharf::kube
