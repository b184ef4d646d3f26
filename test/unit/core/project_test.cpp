#include "core/project.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace wharf {
namespace {

using ::testing::HasSubstr;

Project valid() {
  return {"payments", "Payments team", "Card and wallet services", 0, "", ""};
}

TEST(ValidateProject, AcceptsValid) {
  EXPECT_TRUE(validate_project(valid()));
  Project p = valid();
  p.display_name = "";
  p.description = "line one\nline two\twith a tab";
  EXPECT_TRUE(validate_project(p));
}

TEST(ValidateProject, RejectsBadName) {
  Project p = valid();
  p.name = "Payments";
  auto s = validate_project(p);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "name");
  EXPECT_EQ(s.error().code, ErrorCode::kInvalid);
}

TEST(ValidateProject, DisplayNameLimitCountsCharactersNotBytes) {
  Project p = valid();
  std::string han;
  for (int i = 0; i < 100; ++i) han += "\xe6\x94\xaf";  // U+652F, three bytes each
  p.display_name = han;
  EXPECT_TRUE(validate_project(p));
  p.display_name += "x";
  auto s = validate_project(p);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "displayName");
  EXPECT_THAT(s.error().message, HasSubstr("101 characters"));
}

TEST(ValidateProject, DisplayNameIsOneLine) {
  Project p = valid();
  p.display_name = "two\nlines";
  auto s = validate_project(p);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "displayName");
}

TEST(ValidateProject, DescriptionLimit) {
  Project p = valid();
  p.description = std::string(2000, 'd');
  EXPECT_TRUE(validate_project(p));
  p.description += "d";
  auto s = validate_project(p);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "description");
  EXPECT_THAT(s.error().message, HasSubstr("at most 2000"));
  p.description = std::string("bell\a");
  s = validate_project(p);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "description");
}

}  // namespace
}  // namespace wharf
