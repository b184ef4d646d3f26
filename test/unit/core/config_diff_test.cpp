#include "core/config_diff.h"

#include <gtest/gtest.h>

#include "core/config_draft.h"

namespace wharf {
namespace {

ConfigItem item(std::string key, std::string value, bool secret = false) {
  ConfigItem i;
  i.key = std::move(key);
  i.value = std::move(value);
  i.secret = secret;
  return i;
}

TEST(ConfigDiffTest, AddedRemovedChangedSortedByKey) {
  std::vector<ConfigItem> from = {item("B", "1"), item("A", "1"), item("C", "same")};
  std::vector<ConfigItem> to = {item("C", "same"), item("D", "new"), item("A", "2")};
  auto d = diff_config(from, to);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].key, "A");
  EXPECT_EQ(d[0].kind, ConfigChangeKind::kChanged);
  EXPECT_EQ(d[0].fields, std::vector<std::string>{"value"});
  EXPECT_EQ(d[0].old_value, "1");
  EXPECT_EQ(d[0].new_value, "2");
  EXPECT_EQ(d[1].key, "B");
  EXPECT_EQ(d[1].kind, ConfigChangeKind::kRemoved);
  EXPECT_EQ(d[1].old_value, "1");
  EXPECT_EQ(d[2].key, "D");
  EXPECT_EQ(d[2].kind, ConfigChangeKind::kAdded);
  EXPECT_EQ(to_string(d[2].kind), "added");
}

TEST(ConfigDiffTest, SecretsShowOnlyThatTheyChanged) {
  std::vector<ConfigItem> from = {item("PW", "old", true), item("GONE", "x", true), item("FLIP", "v")};
  std::vector<ConfigItem> to = {item("PW", "new", true), item("NEW", "y", true), item("FLIP", "v2", true)};
  auto d = diff_config(from, to);
  ASSERT_EQ(d.size(), 4u);
  for (const auto& c : d) {
    EXPECT_TRUE(c.secret) << c.key;
    EXPECT_FALSE(c.old_value) << c.key;
    EXPECT_FALSE(c.new_value) << c.key;
  }
  EXPECT_EQ(d[0].key, "FLIP");
  EXPECT_EQ(d[0].fields, (std::vector<std::string>{"value", "secret"}));
}

TEST(ConfigDiffTest, MetadataChangesAreListed) {
  auto a = item("A", "1");
  auto b = a;
  b.comment = "why";
  b.type = ConfigType::kInt;
  b.validation.min = 0;
  auto d = diff_config(std::vector{a}, std::vector{b});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].fields, (std::vector<std::string>{"type", "comment", "validation"}));
  EXPECT_FALSE(d[0].new_value);
  EXPECT_TRUE(diff_config(std::vector{a}, std::vector{a}).empty());
}

TEST(ConfigDraftTest, SortsItemsByKey) {
  std::vector<ConfigItem> items = {item("b", ""), item("B", ""), item("a", "")};
  sort_config_items(items);
  EXPECT_EQ(items[0].key, "B");
  EXPECT_EQ(items[1].key, "a");
  EXPECT_EQ(items[2].key, "b");
}

}  // namespace
}  // namespace wharf
