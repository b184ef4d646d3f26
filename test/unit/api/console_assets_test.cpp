// The console's files: content types, caching, the single-page fallback, refusal of paths that leave the
// directory, and the API's paths left to the API.
#include "api/console_assets.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace wharf::api {
namespace {

namespace fs = std::filesystem;

std::string header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

HttpRequest get(std::string path) {
  HttpRequest r;
  r.method = "GET";
  r.path = std::move(path);
  return r;
}

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

struct Fixture {
  fs::path root = fs::path(testing::TempDir()) / ("console_assets_test_" + std::to_string(::getpid()));
  fs::path dir = root / "console";
  Fixture() {
    write(dir / "index.html", "<!doctype html><div id=root></div>");
    write(dir / "assets" / "index-abc123.js", "console.log(1)");
    write(dir / "assets" / "index-abc123.css", "body{}");
    write(dir / "favicon.svg", "<svg/>");
    write(root / "secret.txt", "not yours");
  }
  ~Fixture() { fs::remove_all(root); }
};

TEST(ConsoleAssets, ServesHashedAssetsForAYearAndTheEntryPageRevalidated) {
  Fixture f;
  ConsoleAssets console(f.dir);
  auto js = console.serve(get("/assets/index-abc123.js"));
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(*js, "Cache-Control"), "public, max-age=31536000, immutable");
  auto css = console.serve(get("/assets/index-abc123.css"));
  ASSERT_TRUE(css);
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");

  for (const char* path : {"/", "/index.html"}) {
    auto index = console.serve(get(path));
    ASSERT_TRUE(index) << path;
    EXPECT_EQ(index->status, 200);
    EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
    EXPECT_EQ(header(*index, "Cache-Control"), "no-cache");
    EXPECT_NE(header(*index, "Content-Security-Policy"), "");
  }
  auto icon = console.serve(get("/favicon.svg"));
  ASSERT_TRUE(icon);
  EXPECT_EQ(icon->content_type, "image/svg+xml");
  EXPECT_EQ(header(*icon, "Cache-Control"), "no-cache");
}

TEST(ConsoleAssets, PagesOfTheAppGetTheEntryPageButMissingAssetsDoNot) {
  Fixture f;
  ConsoleAssets console(f.dir);
  auto page = console.serve(get("/projects/shop/apps/web/environments/dev"));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->body, "<!doctype html><div id=root></div>");
  auto gone = console.serve(get("/assets/index-old999.js"));
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);
}

TEST(ConsoleAssets, LeavesTheApiAndOtherMethodsAlone) {
  Fixture f;
  Router router;
  auto ok = [](HttpRequest&, const Identity&) -> Result<HttpResponse> {
    return HttpResponse::text(200, "ok");
  };
  router.add({"GET", "/healthz", "public", "", ok});
  router.add({"GET", "/configs/{app}/{cluster}/{namespace}", "public", "", ok});
  EXPECT_EQ(api_roots(router), (std::set<std::string>{"configs", "healthz"}));
  ConsoleAssets console(f.dir, api_roots(router));
  EXPECT_FALSE(console.serve(get("/api/v1/nothing-here")));
  EXPECT_FALSE(console.serve(get("/api")));
  EXPECT_FALSE(console.serve(get("/configs/wrong")));
  EXPECT_FALSE(console.serve(get("/healthz/x")));
  EXPECT_TRUE(console.serve(get("/projects")));
  auto post = get("/");
  post.method = "POST";
  EXPECT_FALSE(console.serve(post));
}

TEST(ConsoleAssets, RefusesPathsThatLeaveTheDirectory) {
  Fixture f;
  ConsoleAssets console(f.dir);
  for (const char* path :
       {"/../secret.txt", "/assets/../../secret.txt", "/./index.html", "/..\\secret.txt"}) {
    auto r = console.serve(get(path));
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(r->body.find("not yours"), std::string::npos) << path;
  }
  // A link inside the build that points out of it.
  fs::create_symlink(f.root / "secret.txt", f.dir / "assets" / "link.js");
  auto linked = console.serve(get("/assets/link.js"));
  ASSERT_TRUE(linked);
  EXPECT_EQ(linked->status, 404);
  EXPECT_EQ(linked->body.find("not yours"), std::string::npos);
}

TEST(ConsoleAssets, WithoutABuildSaysHowToMakeOne) {
  Fixture f;
  ConsoleAssets console(f.root / "absent");
  auto r = console.serve(get("/"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->content_type, "text/html; charset=utf-8");
  EXPECT_NE(r->body.find("make console"), std::string::npos);
}

}  // namespace
}  // namespace wharf::api
