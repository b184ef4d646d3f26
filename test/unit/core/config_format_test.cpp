#include "core/config_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace wharf {
namespace {

using ::testing::HasSubstr;

ConfigItem item(std::string key, std::string value, ConfigType type = ConfigType::kString) {
  ConfigItem i;
  i.key = std::move(key);
  i.value = std::move(value);
  i.type = type;
  return i;
}

std::vector<ConfigItem> tricky() {
  return {
      item("PLAIN", "hello"),
      item("SPACES", "  leading and trailing  "),
      item("QUOTES", R"(say "hi" and 'bye')"),
      item("MULTI", "line1\nline2\n\ttabbed"),
      item("SYMBOLS", "a=b:c#d!e\\f $HOME `x`"),
      item("UNICODE", "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x9A\xA2"),
      item("EMPTY", ""),
      item("PORT", "8080", ConfigType::kInt),
      item("DEBUG", "true", ConfigType::kBool),
      item("db.pool.size", "10"),
      item("null", "looks-like-null"),
      item("NUMERIC_STRING", "0123"),
  };
}

std::string format_name(ConfigFormat f) {
  return std::string(to_string(f));
}

class RoundTrip : public ::testing::TestWithParam<ConfigFormat> {};

TEST_P(RoundTrip, ExportThenImportGivesTheSameItems) {
  auto items = tricky();
  std::string text = format_config_text(GetParam(), items);
  auto back = parse_config_text(GetParam(), text);
  ASSERT_TRUE(back) << back.error().message << "\n" << text;
  std::map<std::string, ConfigItem> got;
  for (auto& i : *back) got[i.key] = i;
  ASSERT_EQ(got.size(), items.size()) << text;
  const bool typed = GetParam() == ConfigFormat::kJson || GetParam() == ConfigFormat::kYaml;
  for (const auto& want : items) {
    ASSERT_TRUE(got.count(want.key)) << want.key << "\n" << text;
    EXPECT_EQ(got[want.key].value, want.value) << want.key << "\n" << text;
    if (typed) {
      EXPECT_EQ(got[want.key].type, want.type) << want.key;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, RoundTrip,
                         ::testing::Values(ConfigFormat::kProperties, ConfigFormat::kEnv, ConfigFormat::kYaml,
                                           ConfigFormat::kJson),
                         [](const auto& info) { return format_name(info.param); });

TEST(ConfigFormatTest, FileItemsAreNotExported) {
  std::vector<ConfigItem> items = {item("A", "1"), item("app.yaml", "a: 1", ConfigType::kYaml)};
  EXPECT_EQ(format_config_text(ConfigFormat::kEnv, items), "A=1\n");
}

TEST(ConfigFormatTest, PropertiesAsJavaReadsThem) {
  auto r = parse_config_text(ConfigFormat::kProperties,
                             "# comment\n! also\n\n  key1 = value one\nkey2:v2\nkey3 v3\n"
                             "long = a\\\n    b\\\n    c\nesc\\ aped\\=key = x\\ty\\u00e9\n");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ((*r)[0].key, "key1");
  EXPECT_EQ((*r)[0].value, "value one");
  EXPECT_EQ((*r)[1].value, "v2");
  EXPECT_EQ((*r)[2].key, "key3");
  EXPECT_EQ((*r)[2].value, "v3");
  EXPECT_EQ((*r)[3].value, "abc");
  EXPECT_EQ((*r)[4].key, "esc aped=key");
  EXPECT_EQ((*r)[4].value, "x\ty\xC3\xA9");
}

TEST(ConfigFormatTest, EnvAsDotenvReadsIt) {
  auto r = parse_config_text(ConfigFormat::kEnv,
                             "# c\nexport A=1\nB = two words # comment\nC=\"multi\nline\"\nD='lit $X \\n'\n");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].value, "1");
  EXPECT_EQ((*r)[1].value, "two words");
  EXPECT_EQ((*r)[2].value, "multi\nline");
  EXPECT_EQ((*r)[3].value, "lit $X \\n");
}

struct BadCase {
  ConfigFormat format;
  std::string text;
  std::string message;
};

TEST(ConfigFormatTest, ErrorsCarryLineNumbers) {
  const std::vector<BadCase> cases = {
      {ConfigFormat::kEnv, "A=1\nnot a pair\n", "line 2: expected KEY=VALUE"},
      {ConfigFormat::kEnv, "A=1\nB=\"open\nstill\n", "line 2: the quoted value of \"B\" is not closed"},
      {ConfigFormat::kEnv, "A=1\nA=2\n", "line 2: \"A\" appears again (first on line 1)"},
      {ConfigFormat::kProperties, "a=1\n\nb=\\uZZZZ\n", "line 3: malformed"},
      {ConfigFormat::kProperties, "a=1\n=x\n", "line 2: the key is empty"},
      {ConfigFormat::kYaml, "a: 1\nb: [1, 2\n", "line "},
      {ConfigFormat::kYaml, "a: 1\nb:\n  c: 2\n", "line 3: the value of \"b\" is a map"},
      {ConfigFormat::kYaml, "- a\n- b\n", "line 1: expected a map"},
      {ConfigFormat::kJson, "{\n  \"a\": 1,\n  \"b\": \n}\n", "line 4"},
      {ConfigFormat::kJson, "{\n  \"a\": 1,\n  \"b\": {\"c\": 1}\n}\n",
       "line 3: the value of \"b\" is an object"},
      {ConfigFormat::kJson, "[1]", "line 1: expected a JSON object"},
  };
  for (const auto& c : cases) {
    auto r = parse_config_text(c.format, c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().field, "text");
    EXPECT_THAT(r.error().message, HasSubstr(c.message)) << c.text;
  }
}

TEST(ConfigFormatTest, EmptyTextIsNoItems) {
  for (auto f : {ConfigFormat::kProperties, ConfigFormat::kEnv, ConfigFormat::kYaml}) {
    auto r = parse_config_text(f, "");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->empty());
  }
  EXPECT_EQ(parse_config_format("yml"), ConfigFormat::kYaml);
  EXPECT_FALSE(parse_config_format("toml"));
}

}  // namespace
}  // namespace wharf
