#include "runtime/kubernetes/kube_path.h"

#include <gtest/gtest.h>

#include "runtime/kubernetes/kube_errors.h"

namespace wharf::kube {
namespace {

TEST(KubePathTest, CoreAndGroupPaths) {
  EXPECT_EQ(resource_path("", "v1", "", "namespaces"), "/api/v1/namespaces");
  EXPECT_EQ(resource_path("", "v1", "", "namespaces", "team-a"), "/api/v1/namespaces/team-a");
  EXPECT_EQ(resource_path("", "v1", "ns", "pods"), "/api/v1/namespaces/ns/pods");
  EXPECT_EQ(resource_path("apps", "v1", "ns", "deployments", "web"),
            "/apis/apps/v1/namespaces/ns/deployments/web");
  EXPECT_EQ(resource_path("apps", "v1", "ns", "deployments", "web", "scale"),
            "/apis/apps/v1/namespaces/ns/deployments/web/scale");
}

TEST(KubePathTest, SegmentsAreEscaped) {
  EXPECT_EQ(resource_path("", "v1", "a/b", "pods", "x?y"), "/api/v1/namespaces/a%2Fb/pods/x%3Fy");
  EXPECT_EQ(url_encode("app in (a,b)"), "app%20in%20%28a%2Cb%29");
  EXPECT_EQ(url_encode("a-b.c_d~e"), "a-b.c_d~e");
  EXPECT_EQ(url_encode("é"), "%C3%A9");
}

TEST(KubePathTest, QueryParameters) {
  EXPECT_EQ(with_query("/api/v1/pods", {{"labelSelector", "app=web,tier!=db"}, {"limit", "2"}}),
            "/api/v1/pods?labelSelector=app%3Dweb%2Ctier%21%3Ddb&limit=2");
  EXPECT_EQ(with_query("/api/v1/pods?watch=true", {{"resourceVersion", "12"}}),
            "/api/v1/pods?watch=true&resourceVersion=12");
  EXPECT_EQ(with_query("/api/v1/pods", {{"continue", ""}, {"limit", "5"}}), "/api/v1/pods?limit=5");
  EXPECT_EQ(with_query("/x", {}), "/x");
}

TEST(KubeErrorsTest, StatusMessageIsKept) {
  const char* forbidden =
      R"({"kind":"Status","status":"Failure","message":"deployments.apps is forbidden: User \"u\" cannot create","reason":"Forbidden","code":403})";
  Error e = error_from_response(403, forbidden, "POST /apis/apps/v1/namespaces/x/deployments");
  EXPECT_EQ(e.code, ErrorCode::kForbidden);
  EXPECT_EQ(e.message,
            "the cluster forbids this request (403 Forbidden): deployments.apps is forbidden: User \"u\" "
            "cannot create "
            "(POST /apis/apps/v1/namespaces/x/deployments)");
  e = error_from_response(401, R"({"kind":"Status","message":"Unauthorized","code":401})", "GET /version");
  EXPECT_EQ(e.code, ErrorCode::kUnauthorized);
  EXPECT_EQ(e.message, "the cluster refused the credentials (401 Unauthorized): Unauthorized");
  e = error_from_response(404, R"({"message":"namespaces \"x\" not found"})", "GET /api/v1/namespaces/x");
  EXPECT_EQ(e.code, ErrorCode::kNotFound);
  e = error_from_response(
      422, R"({"message":"Deployment is invalid","details":{"causes":[{"field":"spec.replicas"}]}})",
      "PATCH /x");
  EXPECT_EQ(e.code, ErrorCode::kInvalid);
  EXPECT_EQ(e.field, "spec.replicas");
  EXPECT_EQ(error_from_response(409, "{}", "x").code, ErrorCode::kConflict);
  EXPECT_FALSE(is_expired(error_from_response(409, "{}", "x")));
  EXPECT_TRUE(is_expired(error_from_response(410, R"({"message":"too old resource version"})", "x")));
  e = error_from_response(503, "upstream down\n", "GET /x");
  EXPECT_EQ(e.code, ErrorCode::kUnavailable);
  EXPECT_NE(e.message.find("upstream down"), std::string::npos);
}

}  // namespace
}  // namespace wharf::kube
