#include "api/router.h"

#include <cstdio>
#include <cstdlib>

namespace wharf::api {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool is_param(std::string_view seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

}  // namespace

Result<bool> is_dry_run(const HttpRequest& request) {
  auto value = request.q("dryRun");
  if (!value) return false;
  if (*value == "true") return true;
  if (*value == "false") return false;
  return fail(Error::invalid("dryRun", "dryRun must be true or false"));
}

void Router::add(Route route) {
  Compiled c;
  for (auto seg : split_path(route.pattern)) c.segments.emplace_back(seg);
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].method == route.method && compiled_[i].segments.size() == c.segments.size()) {
      bool same = true;
      for (size_t k = 0; k < c.segments.size() && same; ++k) {
        const auto &a = compiled_[i].segments[k], &b = c.segments[k];
        same = (is_param(a) && is_param(b)) || a == b;
      }
      if (same) {
        std::fprintf(stderr, "wharf: route %s %s registered twice\n", route.method.c_str(),
                     route.pattern.c_str());
        std::abort();
      }
    }
  }
  routes_.push_back(std::move(route));
  compiled_.push_back(std::move(c));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match m;
  auto segs = split_path(path);
  // Literal segments win over parameters: "/apps/{app}" must not shadow a fixed sibling path.
  int best_score = -1;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const auto& pattern = compiled_[i].segments;
    if (pattern.size() != segs.size()) continue;
    int score = 0;
    bool ok = true;
    for (size_t k = 0; k < segs.size() && ok; ++k) {
      if (is_param(pattern[k])) {
        ok = !segs[k].empty();
      } else {
        ok = pattern[k] == segs[k];
        score += ok ? 1 : 0;
      }
    }
    if (!ok) continue;
    m.path_matched = true;
    if (routes_[i].method != method || score <= best_score) continue;
    best_score = score;
    m.route = &routes_[i];
    m.index = i;
    m.params.clear();
    for (size_t k = 0; k < segs.size(); ++k)
      if (is_param(pattern[k]))
        m.params.emplace(pattern[k].substr(1, pattern[k].size() - 2), std::string(segs[k]));
  }
  return m;
}

}  // namespace wharf::api
