#include "api/console_assets.h"

#include <fstream>
#include <iterator>
#include <string_view>
#include <system_error>

namespace wharf::api {
namespace {

namespace fs = std::filesystem;

// Vite hashes every file under assets/ (name-HASH.js): a changed file gets a new name, so a year is safe.
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
// The entry page names the current hashes: revalidated on every load.
constexpr std::string_view kRevalidate = "no-cache";

std::string_view content_type_of(const fs::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".webmanifest") return "application/manifest+json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string first_segment(std::string_view path) {
  size_t begin = path.find_first_not_of('/');
  if (begin == std::string_view::npos) return "";
  return std::string(path.substr(begin, path.find('/', begin) - begin));
}

// The request path as a path relative to the console directory, or nullopt when a segment could step out
// of it ("." and "..", backslashes, NUL) — refused rather than normalised, since no link of ours has them.
std::optional<fs::path> relative_path_of(std::string_view path) {
  fs::path out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view seg = path.substr(i, j - i);
    i = j + 1;
    if (seg.empty()) continue;
    if (seg == "." || seg == ".." || seg.find('\\') != std::string_view::npos ||
        seg.find('\0') != std::string_view::npos)
      return std::nullopt;
    out /= std::string(seg);
  }
  return out;
}

// The file's contents when it is a regular file inside `root` (after resolving symlinks).
std::optional<std::string> read_inside(const fs::path& root, const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  auto real_root = fs::canonical(root, ec);
  if (ec) return std::nullopt;
  auto real_file = fs::canonical(file, ec);
  if (ec) return std::nullopt;
  auto rel = real_file.lexically_relative(real_root);
  if (rel.empty() || *rel.begin() == "..") return std::nullopt;
  std::ifstream in(real_file, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

HttpResponse file_response(std::string body, const fs::path& file, std::string_view cache_control) {
  HttpResponse r;
  r.status = 200;
  r.content_type = std::string(content_type_of(file));
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", std::string(cache_control));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (file.extension() == ".html") {
    // The console needs only its own files and its own API.
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                           "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    r.headers.emplace_back("Referrer-Policy", "same-origin");
  }
  return r;
}

HttpResponse not_built(const fs::path& dir) {
  HttpResponse r;
  r.status = 404;
  r.content_type = "text/html; charset=utf-8";
  r.headers.emplace_back("Cache-Control", std::string(kRevalidate));
  std::string where = dir.string();
  // The directory comes from our own flag or executable path, but it is still escaped into HTML.
  std::string escaped;
  for (char c : where) {
    if (c == '<')
      escaped += "&lt;";
    else if (c == '>')
      escaped += "&gt;";
    else if (c == '&')
      escaped += "&amp;";
    else
      escaped += c;
  }
  r.body =
      "<!doctype html><meta charset=utf-8><title>Wharf</title>\n"
      "<h1>Wharf</h1>\n<p>The web console is not built. Build it with <code>make console</code> (or "
      "<code>make run</code>), which installs it in <code>" +
      escaped +
      "</code>, or start the server with <code>--console-dir DIR</code>.</p>\n"
      "<p>The API is served at <code>/api/v1</code>.</p>\n";
  return r;
}

}  // namespace

std::optional<HttpResponse> ConsoleAssets::serve(const HttpRequest& request) const {
  if (request.method != "GET") return std::nullopt;
  const std::string_view path = request.path;
  if (api_roots_.contains(first_segment(path))) return std::nullopt;
  auto rel = relative_path_of(path);
  if (!rel) return HttpResponse::text(404, "not found\n");
  const bool asset = starts_with(path, "/assets/");
  if (!rel->empty()) {
    const fs::path file = dir_ / *rel;
    if (auto body = read_inside(dir_, file))
      return file_response(std::move(*body), file, asset ? kImmutable : kRevalidate);
    // A missing hashed file is an old page asking for a build that is gone: the entry page would not help.
    if (asset) return HttpResponse::text(404, "not found\n");
  }
  const fs::path index = dir_ / "index.html";
  if (auto body = read_inside(dir_, index)) return file_response(std::move(*body), index, kRevalidate);
  return not_built(dir_);
}

std::set<std::string> api_roots(const Router& router) {
  std::set<std::string> roots;
  for (const auto& route : router.routes()) roots.insert(first_segment(route.pattern));
  roots.erase("");
  return roots;
}

fs::path default_console_dir() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return fs::path("console");
  return exe.parent_path() / "console";
}

}  // namespace wharf::api
