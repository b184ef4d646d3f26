#include "cli/api_paths.h"

#include "cli/api_client.h"

namespace wharf::cli::paths {

std::string project(std::string_view p) {
  return std::string(kProjects) + "/" + url_escape(p);
}
std::string environments(std::string_view p) {
  return project(p) + "/environments";
}
std::string environment(std::string_view p, std::string_view e) {
  return environments(p) + "/" + url_escape(e);
}
std::string apps(std::string_view p) {
  return project(p) + "/apps";
}
std::string app(std::string_view p, std::string_view a) {
  return apps(p) + "/" + url_escape(a);
}

std::string app_env(std::string_view p, std::string_view a, std::string_view e, std::string_view tail) {
  return app(p, a) + "/environments/" + url_escape(e) + "/" + std::string(tail);
}

}  // namespace wharf::cli::paths
