#include "runtime/kubernetes/kube_path.h"

namespace wharf::kube {

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string resource_path(std::string_view group, std::string_view version, std::string_view ns,
                          std::string_view resource, std::string_view name, std::string_view subresource) {
  std::string path = group.empty() ? "/api/" : "/apis/" + url_encode(group) + "/";
  path += url_encode(version);
  if (!ns.empty()) path += "/namespaces/" + url_encode(ns);
  path += "/" + url_encode(resource);
  if (!name.empty()) path += "/" + url_encode(name);
  if (!subresource.empty()) path += "/" + url_encode(subresource);
  return path;
}

std::string with_query(std::string path, const std::vector<std::pair<std::string, std::string>>& params) {
  char sep = path.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [key, value] : params) {
    if (value.empty()) continue;
    path += sep;
    path += url_encode(key);
    path += '=';
    path += url_encode(value);
    sep = '&';
  }
  return path;
}

}  // namespace wharf::kube
