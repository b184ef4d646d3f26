#include "core/names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace wharf {
namespace {

using ::testing::HasSubstr;

TEST(ValidateName, AcceptsDnsLabels) {
  for (const char* name : {"a", "web", "web-1", "1web", "a-b-c", "0", "x9"}) {
    EXPECT_TRUE(validate_name(name, "name")) << name;
  }
  EXPECT_TRUE(validate_name(std::string(40, 'a'), "name"));
}

TEST(ValidateName, RejectsEmpty) {
  auto s = validate_name("", "name");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(s.error().field, "name");
  EXPECT_THAT(s.error().message, HasSubstr("must not be empty"));
}

TEST(ValidateName, RejectsLongerThan40) {
  auto s = validate_name(std::string(41, 'a'), "clusters[2]");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "clusters[2]");
  EXPECT_THAT(s.error().message, HasSubstr("41 characters"));
  EXPECT_THAT(s.error().message, HasSubstr("at most 40"));
}

TEST(ValidateName, RejectsBadCharactersAndSuggestsAFix) {
  auto s = validate_name("My_App", "name");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "name");
  EXPECT_THAT(s.error().message, HasSubstr("lower-case"));
  EXPECT_THAT(s.error().message, HasSubstr("\"my-app\""));
}

TEST(ValidateName, RejectsLeadingOrTrailingHyphenAndOtherCharacters) {
  for (const char* name : {"-web", "web-", "we b", "web.prod", "Web", "wéb", "web_1", "-"}) {
    auto s = validate_name(name, "name");
    ASSERT_FALSE(s) << name;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalid) << name;
  }
}

TEST(ValidateName, NoSuggestionWhenNothingUsableRemains) {
  auto s = validate_name("___", "name");
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message, ::testing::Not(HasSubstr("for example")));
}

TEST(ValidatePortName, AcceptsIanaServiceNames) {
  for (const char* name : {"http", "h2c", "grpc-web", "p8080", "a", "abcdefghijklmno"}) {
    EXPECT_TRUE(validate_port_name(name, "ports[0].name")) << name;
  }
}

TEST(ValidatePortName, RejectsEachRule) {
  struct Case {
    const char* name;
    const char* why;
  } cases[] = {
      {"", "must not be empty"}, {"abcdefghijklmnop", "at most 15"}, {"HTTP", "lower-case"},
      {"http_x", "lower-case"},  {"8080", "at least one letter"},    {"-http", "start or end"},
      {"http-", "start or end"}, {"my--port", "two hyphens"},
  };
  for (const auto& c : cases) {
    auto s = validate_port_name(c.name, "ports[3].name");
    ASSERT_FALSE(s) << c.name;
    EXPECT_EQ(s.error().field, "ports[3].name") << c.name;
    EXPECT_THAT(s.error().message, HasSubstr(c.why)) << c.name;
  }
}

}  // namespace
}  // namespace wharf
