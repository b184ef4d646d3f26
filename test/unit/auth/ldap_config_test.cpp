// The pure parts of the LDAP directory: filter escaping (RFC 4515), group mapping, and the validation of
// --ldap-config files. The directory itself is tested against a real slapd (test/integration/test_ldap.py).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "auth/ldap_config.h"
#include "auth/ldap_directory.h"

namespace wharf {
namespace {

TEST(LdapFilter, EscapesTheSpecialCharacters) {
  EXPECT_EQ(ldap_escape_filter_value("alice"), "alice");
  EXPECT_EQ(ldap_escape_filter_value("*"), "\\2a");
  EXPECT_EQ(ldap_escape_filter_value("a)(uid=*"), "a\\29\\28uid=\\2a");
  EXPECT_EQ(ldap_escape_filter_value("back\\slash"), "back\\5cslash");
  EXPECT_EQ(ldap_escape_filter_value(std::string("nul\0byte", 8)), "nul\\00byte");
  EXPECT_EQ(ldap_escape_filter_value("Jürgen"), "Jürgen") << "UTF-8 passes unchanged";
}

TEST(LdapFilter, ExpandsPlaceholdersEscaped) {
  EXPECT_EQ(ldap_expand_filter("(&(objectClass=inetOrgPerson)(uid={username}))", {{"username", "*)(uid=*"}}),
            "(&(objectClass=inetOrgPerson)(uid=\\2a\\29\\28uid=\\2a))");
  EXPECT_EQ(ldap_expand_filter("(member={dn})", {{"dn", "cn=a\\2c b,dc=x"}}), "(member=cn=a\\5c2c b,dc=x)");
  EXPECT_EQ(ldap_expand_filter("(x={other})", {{"dn", "d"}}), "(x={other})") << "unknown names stay";
}

TEST(LdapGroups, MapsByTableThenPrefix) {
  LdapOptions o;
  EXPECT_EQ(ldap_map_group(o, "shop-devs"), "shop-devs") << "same name by default";
  o.group_prefix = "shop-";
  o.group_map = {{"ops-team", "ops"}};
  EXPECT_EQ(ldap_map_group(o, "shop-devs"), "shop-devs");
  EXPECT_EQ(ldap_map_group(o, "ops-team"), "ops");
  EXPECT_EQ(ldap_map_group(o, "finance"), "") << "outside the prefix: left out";
}

class LdapConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("wharf-ldap-config-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    write("password", "s3cret-service\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name) << content;
    return (dir_ / name).string();
  }
  Result<LdapOptions> load(const std::string& yaml) { return load_ldap_config(write("ldap.yaml", yaml)); }

  std::filesystem::path dir_;
};

TEST_F(LdapConfigTest, ReadsAFullConfig) {
  auto o = load(
      "url: ldap://127.0.0.1:389\n"
      "bindDN: cn=wharf,dc=example,dc=org\n"
      "bindPasswordFile: password\n"  // relative to the config file
      "userBase: ou=people,dc=example,dc=org\n"
      "groupBase: ou=groups,dc=example,dc=org\n"
      "groupPrefix: shop-\n"
      "groupMap: {ops-team: ops}\n"
      "startTLS: true\n"
      "timeout: 2.5\n"
      "poolSize: 2\n"
      "groupCacheSeconds: 1\n");
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->url, "ldap://127.0.0.1:389");
  EXPECT_EQ(o->bind_password, "s3cret-service") << "the trailing newline is not part of the password";
  EXPECT_EQ(o->user_filter, "(&(objectClass=inetOrgPerson)(uid={username}))");
  EXPECT_EQ(o->group_filter, "(&(objectClass=groupOfNames)(member={dn}))");
  EXPECT_EQ(o->group_attribute, "cn");
  EXPECT_EQ(o->group_map.at("ops-team"), "ops");
  EXPECT_TRUE(o->start_tls);
  EXPECT_EQ(o->timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(o->pool_size, 2);
  EXPECT_EQ(o->group_cache, std::chrono::seconds(1));
}

TEST_F(LdapConfigTest, JsonIsAccepted) {
  auto o = load(R"({"url": "ldaps://ldap.example.org", "userBase": "ou=people,dc=example,dc=org"})");
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(o->group_cache, std::chrono::seconds(60));
}

TEST_F(LdapConfigTest, NamesTheFieldAtFault) {
  struct Case {
    std::string yaml, field, says;
  };
  const std::string base = "userBase: ou=people,dc=example,dc=org\n";
  for (const auto& c : std::vector<Case>{
           {base, "url", "required"},
           {"url: http://x\n" + base, "url", "ldap://"},
           {"url: ldap://x\n", "userBase", "required"},
           {"url: ldap://x\nbindDN: cn=a\n" + base, "bindPasswordFile", "required"},
           {"url: ldap://x\nbindDN: cn=a\nbindPasswordFile: missing\n" + base, "bindPasswordFile",
            "cannot be read"},
           {"url: ldap://x\n" + base + "userFilter: (uid=alice)\n", "userFilter", "{username}"},
           {"url: ldap://x\n" + base + "userFilter: uid={username}\n", "userFilter", "parentheses"},
           {"url: ldaps://x\nstartTLS: true\n" + base, "startTLS", "ldaps://"},
           {"url: ldap://x\n" + base + "timeout: 0\n", "timeout", "between"},
           {"url: ldap://x\n" + base + "timeout: soon\n", "timeout", "number"},
           {"url: ldap://x\n" + base + "poolSize: 1000\n", "poolSize", "between"},
           {"url: ldap://x\n" + base + "caFile: nope.pem\n", "caFile", "cannot be read"},
           {"url: ldap://x\n" + base + "groupMap: {a: 'b c'}\n", "groupMap.a", "Wharf group name"},
           {"url: ldap://x\n" + base + "bindDn: cn=typo\n", "bindDn", "unknown setting"},
       }) {
    auto o = load(c.yaml);
    ASSERT_FALSE(o) << c.yaml;
    EXPECT_EQ(o.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(o.error().field, c.field) << c.yaml;
    EXPECT_NE(o.error().message.find(c.says), std::string::npos) << o.error().message;
    EXPECT_NE(o.error().message.find("ldap.yaml"), std::string::npos) << "names the file";
  }
  write("empty", "\n");
  auto o = load("url: ldap://x\nbindDN: cn=a\nbindPasswordFile: empty\n" + base);
  ASSERT_FALSE(o);
  EXPECT_NE(o.error().message.find("anonymously"), std::string::npos) << o.error().message;
}

TEST_F(LdapConfigTest, TheServicePasswordIsNeverInAMessage) {
  write("password", "hunter2-very-secret\n");
  auto o = load("url: ldap://x\nbindDN: cn=a\nbindPasswordFile: password\nuserBase: ou=p\ntimeout: -1\n");
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().message.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace wharf
