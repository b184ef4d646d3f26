#include "net/url.h"

#include <gtest/gtest.h>

namespace wharf::net {
namespace {

TEST(Url, Parses) {
  auto u = parse_url("https://auth.example.com/token?service=x");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "auth.example.com");
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->target, "/token?service=x");
  EXPECT_EQ(u->authority(), "auth.example.com");
  auto p = parse_url("http://127.0.0.1:5000");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->target, "/");
  EXPECT_EQ(p->str(), "http://127.0.0.1:5000/");
  auto v6 = parse_url("http://[::1]:8080?a=1");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->target, "/?a=1");
  EXPECT_EQ(v6->authority(), "[::1]:8080");
}

TEST(Url, Refuses) {
  EXPECT_FALSE(parse_url("ftp://x"));
  EXPECT_FALSE(parse_url("example.com/x"));
  EXPECT_FALSE(parse_url("http://:80/"));
  EXPECT_FALSE(parse_url("http://h:99999/"));
  EXPECT_FALSE(parse_url("http://[::1/"));
}

TEST(Url, Resolve) {
  auto base = parse_url("http://127.0.0.1:5000/v2/_catalog?n=2");
  ASSERT_TRUE(base);
  EXPECT_EQ(resolve_url(*base, "/v2/_catalog?last=b&n=2")->str(),
            "http://127.0.0.1:5000/v2/_catalog?last=b&n=2");
  EXPECT_EQ(resolve_url(*base, "https://s3.example.com/blob")->host, "s3.example.com");
  EXPECT_FALSE(resolve_url(*base, "relative"));
}

TEST(Url, Encode) {
  EXPECT_EQ(url_encode("repository:a/b:pull,push"), "repository%3Aa%2Fb%3Apull%2Cpush");
  EXPECT_EQ(url_encode("A-z_0.~"), "A-z_0.~");
}

}  // namespace
}  // namespace wharf::net
