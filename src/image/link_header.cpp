#include "image/link_header.h"

namespace wharf {

std::string next_link(std::string_view header) {
  size_t i = 0;
  while (i < header.size()) {
    auto open = header.find('<', i);
    if (open == std::string_view::npos) return {};
    auto close = header.find('>', open);
    if (close == std::string_view::npos) return {};
    auto target = header.substr(open + 1, close - open - 1);
    // The parameters of this link run to the next '<' (a comma-separated list of links).
    auto next = header.find('<', close);
    auto params =
        header.substr(close + 1, next == std::string_view::npos ? std::string_view::npos : next - close - 1);
    for (std::string_view rel : {"rel=\"next\"", "rel=next"})
      if (params.find(rel) != std::string_view::npos) return std::string(target);
    if (next == std::string_view::npos) return {};
    i = next;
  }
  return {};
}

}  // namespace wharf
