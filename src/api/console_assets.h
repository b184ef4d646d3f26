// ConsoleAssets: the web console's built files (console/, `make console`) served at `/`. Requests that no
// API route matches come here: a file of the build when one has that path, index.html for every other path
// so that the single-page app's own routes (/projects/shop/...) load on a reload or a shared link. Hashed
// files under /assets/ are cached for a year; index.html is revalidated on every load so that a new build
// is picked up at once. Without a build, `/` answers a short page that says how to make one.
//
// Paths under the first segment of any route (/api, /healthz, /metrics, the Apollo-compatible /configs, ...)
// are left alone, so a wrong API path still gets the API's JSON 404 rather than the console's page.
//
// No login is needed: the login page itself is one of these files; every /api call stays authenticated.
// Paths with "." or ".." segments, and files that resolve (symlinks) outside the directory, are refused.
// Thread-safe (reads files per request, keeps no state besides the directory); blocks on file reads.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include "api/http_types.h"
#include "api/router.h"

namespace wharf::api {

class ConsoleAssets {
 public:
  // `api_roots`: first path segments that belong to the API ("api" always does).
  explicit ConsoleAssets(std::filesystem::path dir, std::set<std::string> api_roots = {})
      : dir_(std::move(dir)), api_roots_(std::move(api_roots)) {
    api_roots_.insert("api");
  }

  // The response for a request no route matched; nullopt when it is not the console's (a method other than
  // GET, or a path under one of the API's roots, which keeps the API's JSON 404).
  std::optional<HttpResponse> serve(const HttpRequest& request) const;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::set<std::string> api_roots_;
};

// The first path segment of every route: "api", "healthz", "metrics", ...
std::set<std::string> api_roots(const Router& router);

// DIR/console, where DIR holds the running executable (the build directory, or an install's bin/).
std::filesystem::path default_console_dir();

}  // namespace wharf::api
