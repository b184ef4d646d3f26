// Shared fixture for the store tests: a fresh SQLite file in a temporary directory, removed afterwards.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite/sqlite_store.h"

namespace wharf::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wharf-store-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline AppSpec sample_spec(const std::string& name, const std::string& tag = "1.0") {
  AppSpec s;
  s.name = name;
  s.image = "127.0.0.1:5000/team/" + name + ":" + tag;
  s.command = {"/bin/server"};
  s.args = {"--port", "8080"};
  s.ports = {PortSpec{"http", 8080, "TCP"}};
  s.env = {{"JAVA_OPTS", "-Xmx512m"}, {"MODE", "test"}};
  s.resources = {"500m", "512Mi"};
  s.qos = QosTier::kStandard;
  s.replicas = 2;
  Probe readiness;
  readiness.kind = Probe::Kind::kHttp;
  readiness.path = "/healthz";
  readiness.port = PortRef{"http", 0};
  readiness.period_seconds = 5;
  s.health_check.readiness = readiness;
  return s;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/wharf.db";
    auto opened = SqliteStore::open(path_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }
  void TearDown() override { store_.reset(); }

  void reopen() {
    store_.reset();
    auto opened = SqliteStore::open(path_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }

  Project project(const std::string& name) {
    Project p;
    p.name = name;
    p.display_name = "Project " + name;
    p.description = "for tests";
    auto r = store_->create_project(p);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : p;
  }

  Environment environment(const std::string& proj, const std::string& name) {
    Environment e;
    e.project = proj;
    e.name = name;
    e.clusters = {"local"};
    e.ns = proj + "-" + name;
    auto r = store_->create_environment(e);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : e;
  }

  App app(const std::string& proj, const std::string& name) {
    App a;
    a.project = proj;
    a.spec = sample_spec(name);
    auto r = store_->create_app(a);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : a;
  }

  static Release release_for(const std::string& proj, const std::string& app_name, const std::string& env,
                             const std::string& tag = "1.0") {
    Release r;
    r.project = proj;
    r.app = app_name;
    r.environment = env;
    r.spec = sample_spec(app_name, tag);
    r.image = r.spec.image;
    r.replicas = r.spec.replicas;
    r.created_by = "alice";
    r.message = "ship " + tag;
    r.clusters = {ClusterRollout{"local", ReleaseStatus::kPending, 0, r.replicas, ""}};
    return r;
  }

  Release release(const std::string& proj, const std::string& app_name, const std::string& env,
                  const std::string& tag = "1.0") {
    auto r = store_->create_release(release_for(proj, app_name, env, tag));
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : Release{};
  }

  // Row count straight from the file, to see what cascades left behind.
  int64_t count_rows(const std::string& table) {
    sqlite3* db = nullptr;
    int64_t n = -1;
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* st = nullptr;
      std::string sql = "SELECT COUNT(*) FROM " + table;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<SqliteStore> store_;
};

}  // namespace wharf::testing
