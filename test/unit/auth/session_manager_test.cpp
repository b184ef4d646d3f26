// Console sessions over a real SQLite store, with an injected clock: idle timeout, absolute lifetime,
// logout, CSRF token check, cookie parsing. Only hashes are stored.
#include "auth/session_manager.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite/sqlite_store.h"
#include "util/crypto.h"

namespace wharf {
namespace {

using namespace std::chrono_literals;

struct Fixture {
  std::string dir = testing::TempDir() + "session_test_" + std::to_string(::getpid());
  std::unique_ptr<SqliteStore> store;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  std::unique_ptr<SessionManager> sessions;
  Fixture() {
    std::filesystem::create_directories(dir);
    store = std::move(*SqliteStore::open(dir + "/wharf.db"));
    EXPECT_TRUE(store->create_user(User{"alice", "Alice", false, ""}));
    sessions =
        std::make_unique<SessionManager>(*store, SessionPolicy{12h, 7 * 24h, 60s}, [this] { return now; });
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
};

TEST(SessionManager, CreateFindAndLogout) {
  Fixture f;
  auto issued = f.sessions->create("alice", "127.0.0.1:5000");
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(issued->secret.size(), 64u);
  auto found = f.sessions->find(issued->secret);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user, "alice");
  EXPECT_EQ(found->remote, "127.0.0.1:5000");
  // Only hashes are stored.
  EXPECT_EQ(found->id_hash, sha256_hex(issued->secret));
  EXPECT_EQ(found->csrf_hash, sha256_hex(issued->csrf_token));
  Identity who;
  who.session = found->id_hash;
  who.session_csrf = found->csrf_hash;
  EXPECT_TRUE(SessionManager::csrf_matches(who, issued->csrf_token));
  EXPECT_FALSE(SessionManager::csrf_matches(who, issued->secret));
  EXPECT_FALSE(SessionManager::csrf_matches(who, ""));
  ASSERT_TRUE(f.sessions->end(found->id_hash));
  auto gone = f.sessions->find(issued->secret);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kUnauthorized);
}

TEST(SessionManager, IdleTimeoutMovesWithUse) {
  Fixture f;
  auto issued = f.sessions->create("alice", "a");
  ASSERT_TRUE(issued);
  for (int i = 0; i < 3; ++i) {
    f.now += 11h;
    EXPECT_TRUE(f.sessions->find(issued->secret)) << i;  // used within the idle limit: still alive
  }
  f.now += 12h + 1s;
  EXPECT_FALSE(f.sessions->find(issued->secret));
}

TEST(SessionManager, AbsoluteLifetimeEndsEvenABusySession) {
  Fixture f;
  auto issued = f.sessions->create("alice", "a");
  ASSERT_TRUE(issued);
  for (int i = 0; i < 7 * 24 / 6 - 1; ++i) {
    f.now += 6h;
    ASSERT_TRUE(f.sessions->find(issued->secret)) << i;
  }
  f.now += 12h;
  EXPECT_FALSE(f.sessions->find(issued->secret));
}

TEST(SessionManager, CookieParsing) {
  EXPECT_EQ(SessionManager::cookie_of("wharf_session=abc"), "abc");
  EXPECT_EQ(SessionManager::cookie_of("theme=dark; wharf_session=abc; lang=en"), "abc");
  EXPECT_EQ(SessionManager::cookie_of("xwharf_session=abc"), "");
  EXPECT_EQ(SessionManager::cookie_of(""), "");
  Fixture f;
  auto set = f.sessions->set_cookie("abc");
  EXPECT_NE(set.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(set.find("Path=/"), std::string::npos);
  EXPECT_NE(SessionManager::clear_cookie().find("Max-Age=0"), std::string::npos);
}

}  // namespace
}  // namespace wharf
