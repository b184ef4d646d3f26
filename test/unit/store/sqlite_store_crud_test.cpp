// CRUD, conflicts, pagination and cascades of the SQLite store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store_test_support.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace wharf::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(StoreTest, OpenCreatesTheLocalCluster) {
  auto local = store_->get_cluster("local");
  ASSERT_TRUE(local) << local.error().message;
  EXPECT_EQ(local->type, "local");
  EXPECT_EQ(local->server, "");
  EXPECT_EQ(local->resource_version, 1);
  EXPECT_EQ(local->created_at.size(), 24u) << local->created_at;  // 2026-11-23T16:46:54.123Z
  auto version = store_->current_version();
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, 1);
}

TEST_F(StoreTest, ProjectCrud) {
  Project p;
  p.name = "shop";
  p.display_name = "Shop";
  p.description = "the web shop";
  auto created = store_->create_project(p);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_GT(created->resource_version, 1);
  EXPECT_FALSE(created->created_at.empty());
  EXPECT_EQ(created->created_at, created->updated_at);

  auto got = store_->get_project("shop");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "shop");
  EXPECT_EQ(got->display_name, "Shop");
  EXPECT_EQ(got->description, "the web shop");
  EXPECT_EQ(got->resource_version, created->resource_version);
  EXPECT_EQ(got->created_at, created->created_at);

  Project change = *got;
  change.description = "the new web shop";
  auto updated = store_->update_project(change);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_GT(updated->resource_version, created->resource_version);
  EXPECT_EQ(updated->created_at, created->created_at);
  EXPECT_EQ(store_->get_project("shop")->description, "the new web shop");

  // resource_version 0: last writer wins.
  change.resource_version = 0;
  change.display_name = "SHOP";
  ASSERT_TRUE(store_->update_project(change));

  auto deleted = store_->delete_project("shop", 0);
  ASSERT_TRUE(deleted) << deleted.error().message;
  auto gone = store_->get_project("shop");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(gone.error().message, HasSubstr("\"shop\""));
  EXPECT_EQ(store_->delete_project("shop", 0).error().code, ErrorCode::kNotFound);
  Project missing;
  missing.name = "nope";
  EXPECT_EQ(store_->update_project(missing).error().code, ErrorCode::kNotFound);
}

TEST_F(StoreTest, StaleResourceVersionsConflict) {
  Project p = project("shop");
  Project first = p;
  first.description = "first";
  ASSERT_TRUE(store_->update_project(first));

  Project second = p;  // still carries the old version
  second.description = "second";
  auto r = store_->update_project(second);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(r.error().field, "resourceVersion");
  auto now = store_->get_project("shop")->resource_version;
  EXPECT_EQ(r.error().message, "project \"shop\" was changed by someone else (resourceVersion " +
                                   std::to_string(now) + ", you sent " + std::to_string(p.resource_version) +
                                   "); reload and retry");
  EXPECT_EQ(store_->get_project("shop")->description, "first");

  auto del = store_->delete_project("shop", p.resource_version);
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().code, ErrorCode::kConflict);
  EXPECT_TRUE(store_->get_project("shop"));

  Environment e = environment("shop", "dev");
  App a = app("shop", "web");
  Environment e2 = e;
  e2.policy.production = true;
  ASSERT_TRUE(store_->update_environment(e2));
  auto env_stale = store_->update_environment(e2);
  ASSERT_FALSE(env_stale);
  EXPECT_EQ(env_stale.error().field, "resourceVersion");
  EXPECT_THAT(env_stale.error().message, HasSubstr("environment \"dev\" of project \"shop\" was changed"));
  EXPECT_EQ(store_->delete_environment("shop", "dev", e.resource_version).error().code, ErrorCode::kConflict);

  App a2 = a;
  a2.spec.replicas = 5;
  ASSERT_TRUE(store_->update_app(a2));
  auto app_stale = store_->update_app(a2);
  ASSERT_FALSE(app_stale);
  EXPECT_EQ(app_stale.error().code, ErrorCode::kConflict);
  EXPECT_THAT(app_stale.error().message, HasSubstr("app \"web\" of project \"shop\" was changed"));
  EXPECT_EQ(store_->delete_app("shop", "web", a.resource_version).error().code, ErrorCode::kConflict);
  EXPECT_TRUE(store_->delete_app("shop", "web", store_->get_app("shop", "web")->resource_version));
}

TEST_F(StoreTest, DuplicateNamesConflict) {
  project("shop");
  Project dup;
  dup.name = "shop";
  auto p = store_->create_project(dup);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::kConflict);
  EXPECT_EQ(p.error().field, "name");
  EXPECT_THAT(p.error().message, HasSubstr("project \"shop\" already exists"));

  environment("shop", "dev");
  Environment e;
  e.project = "shop";
  e.name = "dev";
  e.clusters = {"local"};
  auto env = store_->create_environment(e);
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error().code, ErrorCode::kConflict);
  EXPECT_EQ(env.error().field, "name");
  EXPECT_THAT(env.error().message, HasSubstr("environment \"dev\" already exists in project \"shop\""));

  app("shop", "web");
  App a;
  a.project = "shop";
  a.spec = sample_spec("web");
  auto ap = store_->create_app(a);
  ASSERT_FALSE(ap);
  EXPECT_EQ(ap.error().code, ErrorCode::kConflict);
  EXPECT_EQ(ap.error().field, "name");
  EXPECT_THAT(ap.error().message, HasSubstr("app \"web\" already exists in project \"shop\""));

  Cluster c;
  c.name = "local";
  c.type = "kubernetes";
  auto cl = store_->create_cluster(c, "secret");
  ASSERT_FALSE(cl);
  EXPECT_EQ(cl.error().code, ErrorCode::kConflict);
  EXPECT_EQ(cl.error().field, "name");

  ASSERT_TRUE(store_->create_user(User{"alice", "Alice", false, ""}));
  auto u = store_->create_user(User{"alice", "Other", false, ""});
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().code, ErrorCode::kConflict);
  EXPECT_THAT(u.error().message, HasSubstr("user \"alice\""));

  // The same names are fine in another project.
  project("blog");
  environment("blog", "dev");
  app("blog", "web");
}

TEST_F(StoreTest, EnvironmentCrud) {
  Environment e;
  e.project = "shop";
  e.name = "prod";
  e.clusters = {"local"};
  auto missing_project = store_->create_environment(e);
  ASSERT_FALSE(missing_project);
  EXPECT_EQ(missing_project.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(missing_project.error().message, HasSubstr("project \"shop\""));

  project("shop");
  e.clusters = {"local", "eu-west"};
  auto missing_cluster = store_->create_environment(e);
  ASSERT_FALSE(missing_cluster);
  EXPECT_EQ(missing_cluster.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing_cluster.error().field, "clusters[1]");
  EXPECT_THAT(missing_cluster.error().message, HasSubstr("cluster \"eu-west\""));

  Cluster c;
  c.name = "eu-west";
  c.type = "kubernetes";
  c.server = "https://10.0.0.1:6443";
  ASSERT_TRUE(store_->create_cluster(c, "creds"));
  e.ns = "shop-prod";
  e.policy.production = true;
  auto created = store_->create_environment(e);
  ASSERT_TRUE(created) << created.error().message;

  auto got = store_->get_environment("shop", "prod");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->clusters, (std::vector<std::string>{"local", "eu-west"}));
  EXPECT_EQ(got->ns, "shop-prod");
  EXPECT_TRUE(got->policy.production);
  EXPECT_EQ(got->resource_version, created->resource_version);

  Environment change = *got;
  change.clusters = {"eu-west"};
  change.policy.production = false;
  auto updated = store_->update_environment(change);
  ASSERT_TRUE(updated) << updated.error().message;
  got = store_->get_environment("shop", "prod");
  EXPECT_EQ(got->clusters, std::vector<std::string>{"eu-west"});
  EXPECT_FALSE(got->policy.production);
  EXPECT_EQ(got->created_at, created->created_at);

  change.clusters = {"nowhere"};
  change.resource_version = 0;
  EXPECT_EQ(store_->update_environment(change).error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(store_->delete_environment("shop", "prod", updated->resource_version));
  EXPECT_EQ(store_->get_environment("shop", "prod").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->delete_environment("shop", "prod", 0).error().code, ErrorCode::kNotFound);
}

TEST_F(StoreTest, ClusterCrudKeepsCredentialsApart) {
  Cluster c;
  c.name = "eu-west";
  c.type = "kubernetes";
  c.server = "https://10.0.0.1:6443";
  auto created = store_->create_cluster(c, "encrypted-kubeconfig");
  ASSERT_TRUE(created) << created.error().message;
  auto got = store_->get_cluster("eu-west");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->type, "kubernetes");
  EXPECT_EQ(got->server, "https://10.0.0.1:6443");
  EXPECT_EQ(*store_->get_cluster_credentials("eu-west"), "encrypted-kubeconfig");
  EXPECT_EQ(store_->get_cluster_credentials("nope").error().code, ErrorCode::kNotFound);

  auto page = store_->list_clusters({});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].name, "eu-west");
  EXPECT_EQ(page->items[1].name, "local");

  auto local = store_->delete_cluster("local");
  ASSERT_FALSE(local);
  EXPECT_EQ(local.error().code, ErrorCode::kConflict);

  project("shop");
  Environment e;
  e.project = "shop";
  e.name = "prod";
  e.clusters = {"local", "eu-west"};
  ASSERT_TRUE(store_->create_environment(e));
  auto in_use = store_->delete_cluster("eu-west");
  ASSERT_FALSE(in_use);
  EXPECT_EQ(in_use.error().code, ErrorCode::kConflict);
  EXPECT_THAT(in_use.error().message, HasSubstr("environment \"prod\" of project \"shop\""));

  ASSERT_TRUE(store_->delete_environment("shop", "prod", 0));
  ASSERT_TRUE(store_->delete_cluster("eu-west"));
  EXPECT_EQ(store_->get_cluster("eu-west").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->delete_cluster("eu-west").error().code, ErrorCode::kNotFound);
}

TEST_F(StoreTest, AppCrudRoundTripsTheSpec) {
  App a;
  a.project = "shop";
  a.spec = sample_spec("web");
  EXPECT_EQ(store_->create_app(a).error().code, ErrorCode::kNotFound);

  project("shop");
  auto created = store_->create_app(a);
  ASSERT_TRUE(created) << created.error().message;
  auto got = store_->get_app("shop", "web");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->project, "shop");
  EXPECT_EQ(got->spec, a.spec);
  EXPECT_EQ(got->resource_version, created->resource_version);

  App change = *got;
  change.spec.replicas = 7;
  change.spec.env["NEW"] = "yes";
  auto updated = store_->update_app(change);
  ASSERT_TRUE(updated) << updated.error().message;
  got = store_->get_app("shop", "web");
  EXPECT_EQ(got->spec, change.spec);
  EXPECT_EQ(got->created_at, created->created_at);
  EXPECT_EQ(got->resource_version, updated->resource_version);

  ASSERT_TRUE(store_->delete_app("shop", "web", 0));
  EXPECT_EQ(store_->get_app("shop", "web").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->delete_app("shop", "web", 0).error().code, ErrorCode::kNotFound);
  App missing = change;
  missing.resource_version = 0;
  EXPECT_EQ(store_->update_app(missing).error().code, ErrorCode::kNotFound);
}

std::string name_of(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "p%03d", i);
  return buf;
}

TEST_F(StoreTest, PaginationOver250ProjectsHasNoGapsOrDuplicates) {
  // Created out of order: the pages come back ordered by name regardless.
  for (int i = 0; i < 250; ++i) project(name_of((i * 7) % 250));
  std::vector<std::string> seen;
  std::vector<size_t> sizes;
  ListOptions options;
  options.limit = 100;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = store_->list_projects(options);
    ASSERT_TRUE(page) << page.error().message;
    sizes.push_back(page->items.size());
    for (const auto& p : page->items) seen.push_back(p.name);
    if (page->continue_token.empty()) break;
    options.continue_token = page->continue_token;
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{100, 100, 50}));
  ASSERT_EQ(seen.size(), 250u);
  for (int i = 0; i < 250; ++i) EXPECT_EQ(seen[i], name_of(i));
}

TEST_F(StoreTest, PaginationOfAppsAndEnvironmentsStaysInTheProject) {
  project("shop");
  project("blog");
  app("blog", "aaa");
  for (int i = 0; i < 25; ++i) app("shop", "app-" + std::to_string(100 + i));
  for (int i = 0; i < 5; ++i) environment("shop", "env-" + std::to_string(i));
  environment("blog", "zzz");

  std::set<std::string> names;
  ListOptions options;
  options.limit = 10;
  int pages = 0;
  do {
    auto page = store_->list_apps("shop", options);
    ASSERT_TRUE(page) << page.error().message;
    ++pages;
    for (const auto& a : page->items) {
      EXPECT_EQ(a.project, "shop");
      EXPECT_TRUE(names.insert(a.spec.name).second) << a.spec.name;
    }
    options.continue_token = page->continue_token;
  } while (!options.continue_token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names.size(), 25u);

  auto envs = store_->list_environments("shop", {});
  ASSERT_TRUE(envs);
  ASSERT_EQ(envs->items.size(), 5u);
  EXPECT_EQ(envs->items.front().name, "env-0");
  EXPECT_TRUE(envs->continue_token.empty());
}

TEST_F(StoreTest, ExactlyFullLastPageHasNoContinueToken) {
  for (int i = 0; i < 4; ++i) project(name_of(i));
  ListOptions options;
  options.limit = 2;
  auto first = store_->list_projects(options);
  ASSERT_TRUE(first);
  ASSERT_FALSE(first->continue_token.empty());
  options.continue_token = first->continue_token;
  auto second = store_->list_projects(options);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->items.size(), 2u);
  EXPECT_TRUE(second->continue_token.empty());
}

TEST_F(StoreTest, LimitIsClamped) {
  for (int i = 0; i < 3; ++i) project(name_of(i));
  ListOptions options;
  options.limit = 0;
  auto one = store_->list_projects(options);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->items.size(), 1u);
  EXPECT_FALSE(one->continue_token.empty());
  options.limit = -5;
  EXPECT_EQ(store_->list_projects(options)->items.size(), 1u);
  options.limit = 1'000'000;
  auto all = store_->list_projects(options);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->items.size(), 3u);
  EXPECT_TRUE(all->continue_token.empty());
}

TEST_F(StoreTest, MalformedContinueTokenIsInvalid) {
  project("shop");
  environment("shop", "dev");
  app("shop", "web");
  for (const std::string& token : std::vector<std::string>{
           "!!!not base64!!!", "Zm9v" /* "foo" */, base64url_encode("r:12"), base64url_encode("n:")}) {
    ListOptions options;
    options.continue_token = token;
    auto r = store_->list_projects(options);
    ASSERT_FALSE(r) << token;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(r.error().field, "continue");
    EXPECT_EQ(store_->list_apps("shop", options).error().field, "continue");
    EXPECT_EQ(store_->list_environments("shop", options).error().field, "continue");
    EXPECT_EQ(store_->list_clusters(options).error().field, "continue");
  }
  for (const std::string& token : std::vector<std::string>{
           "%%", base64url_encode("n:web"), base64url_encode("r:abc"), base64url_encode("r:-1"),
           base64url_encode("r:0"), base64url_encode("r:99999999999999999999999")}) {
    ListOptions options;
    options.continue_token = token;
    auto r = store_->list_releases({"shop", "web", "dev"}, options);
    ASSERT_FALSE(r) << token;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(r.error().field, "continue");
  }
}

TEST_F(StoreTest, ListingChildrenOfAMissingParentIsNotFound) {
  auto apps = store_->list_apps("ghost", {});
  ASSERT_FALSE(apps);
  EXPECT_EQ(apps.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(apps.error().message, HasSubstr("project \"ghost\""));
  EXPECT_EQ(store_->list_environments("ghost", {}).error().code, ErrorCode::kNotFound);

  project("shop");
  EXPECT_TRUE(store_->list_apps("shop", {})->items.empty());
  EXPECT_TRUE(store_->list_environments("shop", {})->items.empty());
  auto releases = store_->list_releases({"shop", "web", "dev"}, {});
  ASSERT_FALSE(releases);
  EXPECT_THAT(releases.error().message, HasSubstr("app \"web\""));
  app("shop", "web");
  releases = store_->list_releases({"shop", "web", "dev"}, {});
  ASSERT_FALSE(releases);
  EXPECT_THAT(releases.error().message, HasSubstr("environment \"dev\""));
  environment("shop", "dev");
  EXPECT_TRUE(store_->list_releases({"shop", "web", "dev"}, {})->items.empty());
  EXPECT_TRUE(store_->list_instances({"shop", "web", "dev"})->empty());
  EXPECT_EQ(store_->list_instances({"shop", "api", "dev"}).error().code, ErrorCode::kNotFound);
}

TEST_F(StoreTest, DeletingAProjectCascadesToEverythingBelowIt) {
  project("shop");
  project("blog");
  for (const char* p : {"shop", "blog"}) {
    environment(p, "dev");
    environment(p, "prod");
    app(p, "web");
    app(p, "api");
    release(p, "web", "dev");
    release(p, "web", "prod");
    release(p, "api", "prod");
    Instance i;
    i.name = "web-1";
    i.state = "running";
    ASSERT_TRUE(store_->replace_instances({p, "web", "dev"}, "local", {i}));
  }
  ASSERT_EQ(count_rows("releases"), 6);
  ASSERT_EQ(count_rows("instances"), 2);

  ASSERT_TRUE(store_->delete_project("shop", 0));
  EXPECT_EQ(count_rows("environments"), 2);
  EXPECT_EQ(count_rows("apps"), 2);
  EXPECT_EQ(count_rows("releases"), 3);
  EXPECT_EQ(count_rows("instances"), 1);
  EXPECT_EQ(store_->get_environment("shop", "dev").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->get_app("shop", "web").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->get_release({"shop", "web", "dev"}, 1).error().code, ErrorCode::kNotFound);
  auto desired = store_->desired_releases("");
  ASSERT_TRUE(desired);
  for (const auto& r : *desired) EXPECT_EQ(r.project, "blog");
  EXPECT_EQ(store_->list_instances({"blog", "web", "dev"})->size(), 1u);
}

TEST_F(StoreTest, DeletingAnEnvironmentCascadesToItsReleasesAndInstances) {
  project("shop");
  environment("shop", "dev");
  environment("shop", "prod");
  app("shop", "web");
  release("shop", "web", "dev");
  release("shop", "web", "dev");
  release("shop", "web", "prod");
  Instance i;
  i.name = "web-1";
  ASSERT_TRUE(store_->replace_instances({"shop", "web", "dev"}, "local", {i}));
  ASSERT_TRUE(store_->replace_instances({"shop", "web", "prod"}, "local", {i}));

  ASSERT_TRUE(store_->delete_environment("shop", "dev", 0));
  EXPECT_EQ(count_rows("releases"), 1);
  EXPECT_EQ(count_rows("instances"), 1);
  EXPECT_TRUE(store_->get_release({"shop", "web", "prod"}, 1));
  EXPECT_TRUE(store_->get_app("shop", "web"));
}

TEST_F(StoreTest, DeletingAnAppCascadesToItsReleasesAndInstances) {
  project("shop");
  environment("shop", "dev");
  app("shop", "web");
  app("shop", "api");
  release("shop", "web", "dev");
  release("shop", "api", "dev");
  Instance i;
  i.name = "x";
  ASSERT_TRUE(store_->replace_instances({"shop", "web", "dev"}, "local", {i}));
  ASSERT_TRUE(store_->delete_app("shop", "web", 0));
  EXPECT_EQ(count_rows("releases"), 1);
  EXPECT_EQ(count_rows("instances"), 0);
  EXPECT_TRUE(store_->get_environment("shop", "dev"));
}

TEST_F(StoreTest, ResourceVersionIsStrictlyIncreasingAcrossKinds) {
  std::vector<int64_t> versions;
  auto v0 = store_->current_version();
  ASSERT_TRUE(v0);
  versions.push_back(*v0);
  versions.push_back(project("shop").resource_version);
  versions.push_back(environment("shop", "dev").resource_version);
  App a = app("shop", "web");
  versions.push_back(a.resource_version);
  Release r = release("shop", "web", "dev");
  versions.push_back(r.resource_version);
  r.status = ReleaseStatus::kProgressing;
  auto moved = store_->update_release_status(r);
  ASSERT_TRUE(moved) << moved.error().message;
  versions.push_back(moved->resource_version);
  a.spec.replicas = 4;
  versions.push_back(store_->update_app(a)->resource_version);
  Cluster c;
  c.name = "k8s";
  c.type = "kubernetes";
  versions.push_back(store_->create_cluster(c, "")->resource_version);
  EXPECT_EQ(*store_->current_version(), versions.back()) << "the version of the last committed write";
  // Deletes and instance reports bump it too, though they return no object.
  ASSERT_TRUE(store_->delete_cluster("k8s"));
  versions.push_back(*store_->current_version());
  ASSERT_TRUE(store_->replace_instances({"shop", "web", "dev"}, "local", {}));
  versions.push_back(*store_->current_version());

  for (size_t i = 1; i < versions.size(); ++i) EXPECT_GT(versions[i], versions[i - 1]) << i;
  EXPECT_EQ(store_->get_app("shop", "web")->resource_version, versions[6]);
}

TEST_F(StoreTest, AFailedWriteChangesNothing) {
  project("shop");
  auto before = *store_->current_version();
  EXPECT_FALSE(store_->create_release(release_for("shop", "web", "dev")));
  EXPECT_FALSE(store_->create_project(Project{"shop", "", "", 0, "", ""}));
  EXPECT_FALSE(store_->delete_cluster("nope"));
  EXPECT_EQ(*store_->current_version(), before);
}

TEST_F(StoreTest, UsersAndTokens) {
  auto user = store_->create_user(User{"alice", "Alice A.", true, ""});
  ASSERT_TRUE(user) << user.error().message;
  EXPECT_FALSE(user->created_at.empty());
  auto got = store_->get_user("alice");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->display_name, "Alice A.");
  EXPECT_TRUE(got->admin);
  EXPECT_EQ(store_->get_user("bob").error().code, ErrorCode::kNotFound);

  ApiToken t;
  t.id = "tok1";
  t.user = "alice";
  t.name = "laptop";
  t.hash = sha256_hex("secret-1");
  auto created = store_->create_token(t);
  ASSERT_TRUE(created) << created.error().message;
  auto found = store_->find_token_by_hash(t.hash);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->id, "tok1");
  EXPECT_EQ(found->user, "alice");
  EXPECT_EQ(found->name, "laptop");
  EXPECT_EQ(found->created_at, created->created_at);
  EXPECT_EQ(store_->find_token_by_hash(sha256_hex("other")).error().code, ErrorCode::kNotFound);

  ApiToken same_hash = t;
  same_hash.id = "tok2";
  auto dup_hash = store_->create_token(same_hash);
  ASSERT_FALSE(dup_hash);
  EXPECT_EQ(dup_hash.error().code, ErrorCode::kConflict);
  EXPECT_EQ(dup_hash.error().field, "hash");
  ApiToken same_id = t;
  same_id.hash = sha256_hex("secret-2");
  EXPECT_EQ(store_->create_token(same_id).error().field, "id");

  ApiToken orphan = t;
  orphan.id = "tok3";
  orphan.user = "bob";
  orphan.hash = sha256_hex("secret-3");
  EXPECT_EQ(store_->create_token(orphan).error().code, ErrorCode::kNotFound);
}

TEST_F(StoreTest, ExpiredTokensAreNotFound) {
  ASSERT_TRUE(store_->create_user(User{"alice", "", false, ""}));
  ApiToken expired;
  expired.id = "old";
  expired.user = "alice";
  expired.hash = sha256_hex("old");
  expired.expires_at = "2001-01-01T00:00:00Z";
  ASSERT_TRUE(store_->create_token(expired));
  auto r = store_->find_token_by_hash(expired.hash);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);

  ApiToken fresh = expired;
  fresh.id = "new";
  fresh.hash = sha256_hex("new");
  fresh.expires_at = to_rfc3339(std::chrono::system_clock::now() + std::chrono::hours(1));
  ASSERT_TRUE(store_->create_token(fresh));
  EXPECT_TRUE(store_->find_token_by_hash(fresh.hash));

  ApiToken offset = expired;
  offset.id = "tz";
  offset.hash = sha256_hex("tz");
  offset.expires_at = "2099-01-01T08:00:00+08:00";
  ASSERT_TRUE(store_->create_token(offset));
  EXPECT_TRUE(store_->find_token_by_hash(offset.hash));

  ApiToken bad = expired;
  bad.id = "bad";
  bad.hash = sha256_hex("bad");
  bad.expires_at = "tomorrow";
  auto invalid = store_->create_token(bad);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(invalid.error().field, "expiresAt");
}

}  // namespace
}  // namespace wharf::testing
