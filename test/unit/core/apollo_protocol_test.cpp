#include "core/apollo_protocol.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace wharf {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

ConfigItem item(std::string key, std::string value, ConfigType type = ConfigType::kString) {
  ConfigItem i;
  i.key = std::move(key);
  i.value = std::move(value);
  i.type = type;
  return i;
}

const std::vector<ConfigItem> kItems = {
    item("DB_PASSWORD", "pw"),
    item("application.yaml", "a: 1\n", ConfigType::kYaml),
    item("datasource.properties", "url = jdbc:h2\\:mem\npool.size=10\n# comment\n", ConfigType::kProperties),
    item("db.url", "jdbc:mysql://db"),
    item("limits", "{\"a\":1}", ConfigType::kJson),
    item("settings.json", "{\"b\":2}", ConfigType::kJson),
};

TEST(ApolloProtocol, NamespacesMapOntoItems) {
  // "application": the scalars (a json scalar too), not the files.
  EXPECT_THAT(
      *apollo_configurations(kItems, "application"),
      ElementsAre(Pair("DB_PASSWORD", "pw"), Pair("db.url", "jdbc:mysql://db"), Pair("limits", "{\"a\":1}")));
  EXPECT_EQ(apollo_configurations(kItems, "application.properties"),
            apollo_configurations(kItems, "application"));
  EXPECT_EQ(apollo_configurations(kItems, "Application.PROPERTIES"), std::nullopt);  // names are exact
  // A properties file, by its name with or without the suffix, parsed like java.util.Properties.
  EXPECT_THAT(*apollo_configurations(kItems, "datasource"),
              ElementsAre(Pair("pool.size", "10"), Pair("url", "jdbc:h2:mem")));
  EXPECT_EQ(apollo_configurations(kItems, "datasource.properties"),
            apollo_configurations(kItems, "datasource"));
  // Other files: their text as "content".
  EXPECT_THAT(*apollo_configurations(kItems, "application.yaml"), ElementsAre(Pair("content", "a: 1\n")));
  EXPECT_THAT(*apollo_configurations(kItems, "settings.json"), ElementsAre(Pair("content", "{\"b\":2}")));
  // Nothing by that name; a scalar is not a namespace.
  EXPECT_EQ(apollo_configurations(kItems, "missing"), std::nullopt);
  EXPECT_EQ(apollo_configurations(kItems, "db.url"), std::nullopt);
  EXPECT_THAT(*apollo_configurations({}, "application"), ElementsAre());
}

TEST(ApolloProtocol, NormalizesLikeApollo) {
  EXPECT_EQ(normalize_apollo_namespace("application.properties"), "application");
  EXPECT_EQ(normalize_apollo_namespace("FX.apollo.PROPERTIES"), "FX.apollo");
  EXPECT_EQ(normalize_apollo_namespace("application.yml"), "application.yml");
  EXPECT_EQ(normalize_apollo_namespace(".properties"), "");
}

TEST(ApolloProtocol, ParsesNotifications) {
  auto n = parse_apollo_notifications(
      R"([{"namespaceName":"application","notificationId":100},{"namespaceName":"FX.apollo"}])");
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_EQ(n->size(), 2u);
  EXPECT_EQ((*n)[0].namespace_name, "application");
  EXPECT_EQ((*n)[0].notification_id, 100);
  EXPECT_EQ((*n)[1].notification_id, -1);
  for (const char* bad : {"", "{}", "[]", "[1]", R"([{"notificationId":1}])", R"([{"namespaceName":""}])",
                          R"([{"namespaceName":"a","notificationId":"x"}])", "[{"}) {
    auto r = parse_apollo_notifications(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().field, "notifications");
  }
}

}  // namespace
}  // namespace wharf
