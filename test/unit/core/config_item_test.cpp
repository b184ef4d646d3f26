#include "core/config_item.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace wharf {
namespace {

using ::testing::HasSubstr;

ConfigItem item(std::string key, ConfigType type) {
  ConfigItem i;
  i.key = std::move(key);
  i.type = type;
  return i;
}

TEST(ConfigItemTest, TypesRoundTripThroughTheirNames) {
  for (auto t : {ConfigType::kString, ConfigType::kInt, ConfigType::kBool, ConfigType::kJson,
                 ConfigType::kYaml, ConfigType::kProperties, ConfigType::kText})
    EXPECT_EQ(parse_config_type(to_string(t)), t);
  EXPECT_FALSE(parse_config_type("float"));
}

TEST(ConfigItemTest, FileItemsAreDecidedByType) {
  EXPECT_TRUE(is_file_item(item("application.yaml", ConfigType::kYaml)));
  EXPECT_TRUE(is_file_item(item("app.properties", ConfigType::kProperties)));
  EXPECT_TRUE(is_file_item(item("motd", ConfigType::kText)));
  EXPECT_TRUE(is_file_item(item("settings.json", ConfigType::kJson)));
  EXPECT_FALSE(is_file_item(item("FEATURES", ConfigType::kJson)));
  EXPECT_FALSE(is_file_item(item("PORT", ConfigType::kInt)));
}

TEST(ConfigItemTest, ScalarKeysAllowDotsButFileNamesAllowNoSlashes) {
  EXPECT_TRUE(validate_config_key(item("DATABASE_URL", ConfigType::kString), "k"));
  EXPECT_TRUE(validate_config_key(item("db.pool.size", ConfigType::kInt), "k"));
  EXPECT_TRUE(validate_config_key(item("application.yaml", ConfigType::kYaml), "k"));
  auto bad = validate_config_key(item("1ST", ConfigType::kString), "items[0].key");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "items[0].key");
  EXPECT_THAT(bad.error().message, HasSubstr("DATABASE_URL"));
  EXPECT_FALSE(validate_config_key(item("a b", ConfigType::kString), "k"));
  EXPECT_FALSE(validate_config_key(item("../etc/passwd", ConfigType::kText), "k"));
  EXPECT_FALSE(validate_config_key(item("conf/app.yaml", ConfigType::kYaml), "k"));
  EXPECT_FALSE(validate_config_key(item(".hidden", ConfigType::kText), "k"));
  EXPECT_FALSE(validate_config_key(item("", ConfigType::kString), "k"));
  EXPECT_FALSE(validate_config_key(item(std::string(254, 'a'), ConfigType::kString), "k"));
}

TEST(ConfigItemTest, EnvVarNames) {
  EXPECT_TRUE(is_env_var_name("_X1"));
  EXPECT_FALSE(is_env_var_name("db.pool"));
  EXPECT_FALSE(is_env_var_name("9A"));
}

}  // namespace
}  // namespace wharf
