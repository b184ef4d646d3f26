#include <gtest/gtest.h>

#include "image/auth_challenge.h"
#include "image/link_header.h"

namespace wharf {
namespace {

TEST(AuthChallenge, Bearer) {
  auto c = parse_auth_challenge(
      R"(Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push")");
  EXPECT_EQ(c.scheme, "bearer");
  EXPECT_EQ(c.param("realm"), "https://auth.example.com/token");
  EXPECT_EQ(c.param("service"), "registry.example.com");
  EXPECT_EQ(c.param("scope"), "repository:a/b:pull,push");
  EXPECT_EQ(c.param("error"), "");
}

TEST(AuthChallenge, BasicUnquotedAndSpaces) {
  auto c = parse_auth_challenge(R"(Basic realm="Registry Realm", charset=UTF-8)");
  EXPECT_EQ(c.scheme, "basic");
  EXPECT_EQ(c.param("realm"), "Registry Realm");
  EXPECT_EQ(c.param("charset"), "UTF-8");
  auto q = parse_auth_challenge(R"(Bearer realm="a\"b")");
  EXPECT_EQ(q.param("realm"), "a\"b");
  EXPECT_EQ(parse_auth_challenge("").scheme, "");
}

TEST(LinkHeader, Next) {
  EXPECT_EQ(next_link(R"(</v2/_catalog?last=b&n=2>; rel="next")"), "/v2/_catalog?last=b&n=2");
  EXPECT_EQ(next_link(R"(</v2/a/tags/list?n=1&last=x>; rel=next)"), "/v2/a/tags/list?n=1&last=x");
  EXPECT_EQ(next_link(R"(<https://r/prev>; rel="prev", <https://r/next>; rel="next")"), "https://r/next");
  EXPECT_EQ(next_link(R"(</v2/_catalog?last=b>; rel="prev")"), "");
  EXPECT_EQ(next_link(""), "");
  EXPECT_EQ(next_link("<unterminated"), "");
}

}  // namespace
}  // namespace wharf
