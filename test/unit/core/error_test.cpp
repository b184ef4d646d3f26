#include "core/error.h"

#include <gtest/gtest.h>

namespace wharf {
namespace {

TEST(Error, WireNames) {
  EXPECT_EQ(to_string(ErrorCode::kInvalid), "invalid");
  EXPECT_EQ(to_string(ErrorCode::kNotFound), "not_found");
  EXPECT_EQ(to_string(ErrorCode::kConflict), "conflict");
  EXPECT_EQ(to_string(ErrorCode::kQuotaExceeded), "quota_exceeded");
  EXPECT_EQ(to_string(ErrorCode::kPolicyViolation), "policy_violation");
}

TEST(Error, UnderPrefixesFieldPaths) {
  EXPECT_EQ(Error::invalid("port", "x").under("spec.ports[0]").field, "spec.ports[0].port");
  EXPECT_EQ(Error::invalid("[1]", "x").under("clusters").field, "clusters[1]");
  EXPECT_EQ(Error::invalid("", "x").under("spec").field, "spec");
}

}  // namespace
}  // namespace wharf
