// Password rules and argon2id hashing.
#include "auth/password.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace wharf {
namespace {

// Small parameters: the tests check behaviour, not cost.
PasswordHashParams cheap() {
  return PasswordHashParams{1, 1024, 1};
}

TEST(PasswordRules, AcceptsALongUnrelatedPassword) {
  EXPECT_TRUE(check_password_rules("correct horse battery", "alice", "password"));
  EXPECT_TRUE(check_password_rules("grün-blau-rot-gelb", "alice", "password"));  // 18 characters
}

TEST(PasswordRules, RefusesShortOnesNamingTheField) {
  auto s = check_password_rules("short1!", "alice", "newPassword");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(s.error().field, "newPassword");
  EXPECT_NE(s.error().message.find("at least 12 characters"), std::string::npos);
  // Characters, not bytes: 11 two-byte characters are still too short.
  EXPECT_FALSE(check_password_rules("äöüäöüäöüäö", "alice", "password"));
  EXPECT_TRUE(check_password_rules("abcdefghijkx", "alice", "password"));
}

TEST(PasswordRules, RefusesTheUserNameInAnyCase) {
  auto s = check_password_rules("AliceAliceAlice", "alice", "password");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("user name"), std::string::npos);
  EXPECT_FALSE(check_password_rules("Alice2024!xy", "alice", "password"));
  // A longer password that merely mentions the name is fine.
  EXPECT_TRUE(check_password_rules("alices own passphrase", "alice", "password"));
}

TEST(PasswordRules, RefusesCommonAndRepeatedPasswords) {
  EXPECT_FALSE(check_password_rules("password1234", "bob", "password"));
  EXPECT_FALSE(check_password_rules("Password1234", "bob", "password"));
  EXPECT_FALSE(check_password_rules("123456789012", "bob", "password"));
  EXPECT_FALSE(check_password_rules("aaaaaaaaaaaaaaa", "bob", "password"));
  EXPECT_FALSE(check_password_rules(std::string(1025, 'x') + "y", "bob", "password"));
}

TEST(PasswordHasher, RoundTripAndWrongPassword) {
  PasswordHasher hasher(cheap());
  auto hash = hasher.hash("correct horse battery");
  ASSERT_TRUE(hash) << hash.error().message;
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=1024,t=1,p=1$")) << *hash;
  EXPECT_EQ(hash->find("correct"), std::string::npos);
  EXPECT_TRUE(hasher.verify("correct horse battery", *hash));
  EXPECT_FALSE(hasher.verify("correct horse batterY", *hash));
  EXPECT_FALSE(hasher.verify("", *hash));
}

TEST(PasswordHasher, SaltsEveryHash) {
  PasswordHasher hasher(cheap());
  auto a = hasher.hash("the same password");
  auto b = hasher.hash("the same password");
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(hasher.verify("the same password", *b));
}

TEST(PasswordHasher, DefaultParametersAreTheDocumentedOnes) {
  PasswordHasher hasher;
  auto hash = hasher.hash("correct horse battery");
  ASSERT_TRUE(hash);
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *hash;
  // A hash made with other parameters still verifies: they are in the string.
  PasswordHasher other(cheap());
  EXPECT_TRUE(other.verify("correct horse battery", *hash));
}

TEST(PasswordHasher, MalformedHashesNeverMatch) {
  PasswordHasher hasher(cheap());
  for (const char* bad : {"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
                          "$argon2id$v=19$m=1024,t=1,p=1$", "$argon2id$garbage"})
    EXPECT_FALSE(hasher.verify("anything", bad)) << bad;
  hasher.verify_dummy("anything");  // does not crash, returns nothing
}

TEST(PasswordHasher, ConcurrentUseIsBoundedAndCorrect) {
  PasswordHasher hasher(cheap(), 2);
  auto hash = hasher.hash("correct horse battery");
  ASSERT_TRUE(hash);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&, i] {
      if (hasher.verify(i % 2 ? "correct horse battery" : "wrong horse battery", *hash) == (i % 2 == 1)) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 6);
}

}  // namespace
}  // namespace wharf
