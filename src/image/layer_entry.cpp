#include "image/layer_entry.h"

namespace wharf {

std::optional<std::string> layer_entry_path(std::string_view path) {
  std::string out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") return std::nullopt;
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

WhiteoutMark classify_whiteout(std::string_view path) {
  auto slash = path.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (name == ".wh..wh..opq") return {WhiteoutMark::kOpaque, std::string(dir)};
  if (name.starts_with(".wh.") && name.size() > 4) {
    std::string target(dir);
    if (!target.empty()) target += '/';
    target += name.substr(4);
    return {WhiteoutMark::kWhiteout, target};
  }
  return {};
}

}  // namespace wharf
