// The API paths the verbs call (API.md), with every name escaped as one path segment.
#pragma once

#include <string>
#include <string_view>

namespace wharf::cli::paths {

inline constexpr std::string_view kVersion = "/api/v1/version";
inline constexpr std::string_view kProjects = "/api/v1/projects";

std::string project(std::string_view p);       // /api/v1/projects/{p}
std::string environments(std::string_view p);  // .../{p}/environments
std::string environment(std::string_view p, std::string_view e);
std::string apps(std::string_view p);                     // .../{p}/apps
std::string app(std::string_view p, std::string_view a);  // .../{p}/apps/{a}
// .../{p}/apps/{a}/environments/{e}/{tail}, tail such as "deploy" or "releases/7"
std::string app_env(std::string_view p, std::string_view a, std::string_view e, std::string_view tail);

}  // namespace wharf::cli::paths
