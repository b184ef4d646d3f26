#include "core/config_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace wharf {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

ConfigItem item(std::string key, std::string value, ConfigType type = ConfigType::kString) {
  ConfigItem i;
  i.key = std::move(key);
  i.value = std::move(value);
  i.type = type;
  return i;
}

TEST(ConfigValidationTest, ValidItemsPass) {
  std::vector<ConfigItem> items = {
      item("PORT", "8080", ConfigType::kInt),
      item("DEBUG", "false", ConfigType::kBool),
      item("FEATURES", R"({"a":[1,2]})", ConfigType::kJson),
      item("application.yaml", "server:\n  port: 8080\n---\nother: 1\n", ConfigType::kYaml),
      item("app.properties", "a=1\nb : two\\\n  three\n", ConfigType::kProperties),
      item("motd", "anything {[ goes", ConfigType::kText),
  };
  items[0].validation.min = 1;
  items[0].validation.max = 65535;
  EXPECT_THAT(validate_config_items(items), IsEmpty());
}

TEST(ConfigValidationTest, EveryBadItemIsReportedWithItsFieldPath) {
  std::vector<ConfigItem> items = {
      item("OK", "fine"),
      item("PORT", "80a", ConfigType::kInt),
      item("DEBUG", "yes", ConfigType::kBool),
      item("FEATURES", "{\"a\":", ConfigType::kJson),
      item("application.yaml", "a: [1, 2\nb: c\n", ConfigType::kYaml),
      item("app.properties", "ok=1\nbad=\\u12G4\n", ConfigType::kProperties),
  };
  auto errors = validate_config_items(items);
  ASSERT_EQ(errors.size(), 5u);
  EXPECT_EQ(errors[0].field, "items[1].value");
  EXPECT_EQ(errors[0].key, "PORT");
  EXPECT_THAT(errors[0].message, HasSubstr("not an integer"));
  EXPECT_EQ(errors[1].field, "items[2].value");
  EXPECT_EQ(errors[2].field, "items[3].value");
  EXPECT_THAT(errors[2].message, HasSubstr("JSON"));
  EXPECT_EQ(errors[3].field, "items[4].value");
  EXPECT_THAT(errors[3].message, HasSubstr("YAML: line"));
  EXPECT_EQ(errors[4].field, "items[5].value");
  EXPECT_THAT(errors[4].message, HasSubstr("line 2"));
}

TEST(ConfigValidationTest, RegexAndRange) {
  std::vector<ConfigItem> items = {item("MODE", "fast"), item("REPLICAS", "12", ConfigType::kInt),
                                   item("BAD_RE", "x"), item("RANGE_ON_STRING", "x")};
  items[0].validation.regex = "slow|normal";
  items[1].validation.max = 10;
  items[2].validation.regex = "([a-";
  items[3].validation.min = 1;
  auto errors = validate_config_items(items);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].field, "items[0].value");
  EXPECT_THAT(errors[0].message, HasSubstr("does not match"));
  EXPECT_EQ(errors[1].field, "items[1].value");
  EXPECT_THAT(errors[1].message, HasSubstr("above the maximum 10"));
  EXPECT_EQ(errors[2].field, "items[2].validation.regex");
  EXPECT_EQ(errors[3].field, "items[3].validation.min");
}

TEST(ConfigValidationTest, RegexOnAFileIsRefused) {
  std::vector<ConfigItem> items = {item("a.yaml", "a: 1", ConfigType::kYaml)};
  items[0].validation.regex = ".*";
  auto errors = validate_config_items(items);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "items[0].validation.regex");
}

TEST(ConfigValidationTest, SecretValuesAreNeverQuoted) {
  std::vector<ConfigItem> items = {item("PIN", "hunter2", ConfigType::kInt), item("TOKEN", "hunter3")};
  items[0].secret = items[1].secret = true;
  items[1].validation.regex = "[0-9]+";
  auto errors = validate_config_items(items);
  ASSERT_EQ(errors.size(), 2u);
  for (const auto& e : errors) EXPECT_THAT(e.message, Not(HasSubstr("hunter")));
}

TEST(ConfigValidationTest, DuplicateAndBadKeys) {
  auto errors =
      validate_config_items(std::vector<ConfigItem>{item("A", "1"), item("A", "2"), item("b c", "")});
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].field, "items[1].key");
  EXPECT_THAT(errors[0].message, HasSubstr("items[0]"));
  EXPECT_EQ(errors[1].field, "items[2].key");
}

TEST(ConfigValidationTest, SizeLimits) {
  // A file over 1 MiB is fine; a scalar of that size is not; the whole set has a limit too.
  std::vector<ConfigItem> items = {item("big.txt", std::string(1536 * 1024, 'x'), ConfigType::kText)};
  EXPECT_TRUE(check_config_limits(items));
  EXPECT_THAT(validate_config_items(items), IsEmpty());
  items.push_back(item("BIG", std::string(kMaxConfigScalarBytes + 1, 'y')));
  auto s = check_config_limits(items);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "items[1].value");
  items.pop_back();
  items.push_back(item("big2.txt", std::string(3 * 1024 * 1024, 'z'), ConfigType::kText));
  s = check_config_limits(items);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "items");
  EXPECT_THAT(s.error().message, HasSubstr("4 MiB"));
}

}  // namespace
}  // namespace wharf
