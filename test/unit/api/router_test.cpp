#include "api/router.h"

#include <gtest/gtest.h>

namespace wharf::api {
namespace {

Handler ok() {
  return [](HttpRequest&, const Identity&) -> Result<HttpResponse> { return HttpResponse::text(200, "ok"); };
}

TEST(Router, MatchesParametersAndMethods) {
  Router r;
  r.add({"GET", "/api/v1/projects/{project}", "project.read", "", ok()});
  r.add({"DELETE", "/api/v1/projects/{project}", "project.delete", "", ok()});
  auto m = r.match("GET", "/api/v1/projects/demo");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->permission, "project.read");
  EXPECT_EQ(m.params.at("project"), "demo");

  auto wrong_method = r.match("POST", "/api/v1/projects/demo");
  EXPECT_EQ(wrong_method.route, nullptr);
  EXPECT_TRUE(wrong_method.path_matched);

  auto none = r.match("GET", "/api/v1/projects/demo/extra");
  EXPECT_EQ(none.route, nullptr);
  EXPECT_FALSE(none.path_matched);
}

TEST(Router, LiteralSegmentsWinOverParameters) {
  Router r;
  r.add({"GET", "/api/v1/things/{name}", "a", "", ok()});
  r.add({"GET", "/api/v1/things/special", "b", "", ok()});
  EXPECT_EQ(r.match("GET", "/api/v1/things/special").route->permission, "b");
  EXPECT_EQ(r.match("GET", "/api/v1/things/other").route->permission, "a");
}

TEST(Router, TrailingAndDoubleSlashesDoNotCreateEmptyParameters) {
  Router r;
  r.add({"GET", "/api/v1/projects/{project}/apps", "x", "", ok()});
  EXPECT_EQ(r.match("GET", "/api/v1/projects//apps").route, nullptr);
  EXPECT_NE(r.match("GET", "/api/v1/projects/p/apps/").route, nullptr);
}

TEST(RouterDeathTest, DuplicateRouteAborts) {
  Router r;
  r.add({"GET", "/a/{x}", "p", "", ok()});
  EXPECT_DEATH(r.add({"GET", "/a/{y}", "p", "", ok()}), "registered twice");
}

}  // namespace
}  // namespace wharf::api
