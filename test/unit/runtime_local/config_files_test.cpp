#include "runtime/local/config_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace wharf::local {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class ConfigFilesTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::TempDir() + "config_files_" + std::to_string(::getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  static ConfigVersion version(int64_t n) {
    ConfigVersion v;
    v.project = "shop";
    v.app = "web";
    v.environment = "dev";
    v.version = n;
    std::string big(1536 * 1024, 'x');
    for (size_t i = 0; i < big.size(); i += 97) big[i] = static_cast<char>('a' + i % 26);
    v.items = {
        {"DB_URL", "pg://db", ConfigType::kString, "", {}, false},
        {"PASSWORD", "hunter2", ConfigType::kString, "", {}, true},
        {"app.properties", "a=1\n", ConfigType::kProperties, "", {}, false},
        {"big.txt", big, ConfigType::kText, "", {}, false},
        {"db.pool.size", "5", ConfigType::kInt, "", {}, false},  // not a variable name: API only
        {"settings.json", "{\"a\":1}", ConfigType::kJson, "", {}, false},
        {"FLAGS", "{\"b\":true}", ConfigType::kJson, "", {}, false},  // a json scalar
    };
    return v;
  }

  std::string root_;
  ReleaseKey key_{"shop", "web", "dev"};
};

TEST_F(ConfigFilesTest, ScalarsWithVariableNamesBecomeEnvironmentVariables) {
  EXPECT_EQ(config_env(version(1)),
            (std::map<std::string, std::string>{
                {"DB_URL", "pg://db"}, {"FLAGS", "{\"b\":true}"}, {"PASSWORD", "hunter2"}}));
}

TEST_F(ConfigFilesTest, WritesFilesAndEnvOnceWithModesTheImageUserCanRead) {
  const auto v = version(3);
  ASSERT_TRUE(ensure_config_dir(root_, key_, v));
  const fs::path dir = config_dir(root_, key_, 3);
  EXPECT_EQ(dir.filename(), "shop_web_dev_3");
  EXPECT_EQ(read(dir / "files" / "app.properties"), "a=1\n");
  EXPECT_EQ(read(dir / "files" / "big.txt"), v.items[3].value);
  EXPECT_EQ(read(dir / "files" / "settings.json"), "{\"a\":1}");
  EXPECT_FALSE(fs::exists(dir / "files" / "DB_URL"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "files"), fs::directory_iterator()), 3);
  auto env = read_config_env(dir.string());
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(*env, config_env(v));

  auto mode = [](const fs::path& p) { return fs::status(p).permissions() & fs::perms::all; };
  EXPECT_EQ(mode(configs_dir(root_)), fs::perms::owner_all);
  EXPECT_EQ(mode(dir), fs::perms::owner_all);
  EXPECT_EQ(mode(dir / "env.json"), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(mode(dir / "files"), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                     fs::perms::others_read | fs::perms::others_exec);
  EXPECT_EQ(mode(dir / "files" / "app.properties"),
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);

  // Versions are immutable: an existing directory is left as it is.
  auto other = v;
  other.items[2].value = "a=2\n";
  ASSERT_TRUE(ensure_config_dir(root_, key_, other));
  EXPECT_EQ(read(dir / "files" / "app.properties"), "a=1\n");
  // Nothing temporary is left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(configs_dir(root_)), fs::directory_iterator()), 1);
}

TEST_F(ConfigFilesTest, CollectionKeepsOnlyWhatIsNamed) {
  ASSERT_TRUE(ensure_config_dir(root_, key_, version(1)));
  ASSERT_TRUE(ensure_config_dir(root_, key_, version(2)));
  fs::create_directories(configs_dir(root_) + "/.tmp-shop_web_dev_9-1-1");
  EXPECT_EQ(remove_config_dirs_except(root_, {config_dir_name(key_, 2)}), 1u);
  EXPECT_FALSE(fs::exists(config_dir(root_, key_, 1)));
  EXPECT_TRUE(fs::exists(config_dir(root_, key_, 2)));
  EXPECT_FALSE(fs::exists(configs_dir(root_) + "/.tmp-shop_web_dev_9-1-1"));
  EXPECT_FALSE(read_config_env(config_dir(root_, key_, 1)).has_value());
}

}  // namespace
}  // namespace wharf::local
