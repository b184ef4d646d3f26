// Releases and instances in the SQLite store: numbering, supersede, status transitions, work lists.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store_test_support.h"

namespace wharf::testing {
namespace {

using ::testing::HasSubstr;

class ReleaseTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    project("shop");
    environment("shop", "dev");
    environment("shop", "prod");
    app("shop", "web");
    app("shop", "api");
  }
  const ReleaseKey web_dev{"shop", "web", "dev"};
};

TEST_F(ReleaseTest, FailAndRevertWritesBothOrNeither) {
  auto bad = store_->create_release(release_for("shop", "web", "dev", "2.0"));
  ASSERT_TRUE(bad) << bad.error().message;
  Release failed = *bad;
  failed.status = ReleaseStatus::kFailed;
  failed.reason = "ProgressDeadlineExceeded";

  Release broken = release_for("shop", "web", "dev", "1.0");
  broken.app = "gone";  // cannot be created: the transaction must leave the failed release untouched
  auto refused = store_->fail_and_revert(failed, broken);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->get_release(web_dev, bad->revision)->status, ReleaseStatus::kPending);

  Release revert = release_for("shop", "web", "dev", "1.0");
  revert.kind = ReleaseKind::kRollback;
  auto back = store_->fail_and_revert(failed, revert);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->revision, bad->revision + 1);
  auto stored = store_->get_release(web_dev, bad->revision);
  EXPECT_EQ(stored->status, ReleaseStatus::kFailed);
  EXPECT_EQ(stored->reason, "ProgressDeadlineExceeded");  // not "Superseded by ..."
  EXPECT_FALSE(stored->finished_at.empty());
}

TEST_F(ReleaseTest, CreateNumbersPerAppAndEnvironmentAndRoundTrips) {
  Release want = release_for("shop", "web", "dev", "1.0");
  want.config_version = 12;
  want.kind = ReleaseKind::kDeploy;
  auto r1 = store_->create_release(want);
  ASSERT_TRUE(r1) << r1.error().message;
  EXPECT_EQ(r1->revision, 1);
  EXPECT_FALSE(r1->created_at.empty());

  auto got = store_->get_release(web_dev, 1);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->project, "shop");
  EXPECT_EQ(got->app, "web");
  EXPECT_EQ(got->environment, "dev");
  EXPECT_EQ(got->image, want.image);
  EXPECT_EQ(got->config_version, 12);
  EXPECT_EQ(got->replicas, 2);
  EXPECT_EQ(got->spec, want.spec);
  EXPECT_EQ(got->kind, ReleaseKind::kDeploy);
  EXPECT_FALSE(got->rollback_of);
  EXPECT_EQ(got->status, ReleaseStatus::kPending);
  EXPECT_EQ(got->message, "ship 1.0");
  EXPECT_EQ(got->created_by, "alice");
  EXPECT_EQ(got->created_at, r1->created_at);
  EXPECT_EQ(got->finished_at, "");
  EXPECT_EQ(got->clusters, want.clusters);
  EXPECT_EQ(got->resource_version, r1->resource_version);

  EXPECT_EQ(release("shop", "web", "dev").revision, 2);
  EXPECT_EQ(release("shop", "web", "prod").revision, 1);
  EXPECT_EQ(release("shop", "api", "dev").revision, 1);
  Release rollback = release_for("shop", "web", "dev");
  rollback.kind = ReleaseKind::kRollback;
  rollback.rollback_of = 1;
  auto r3 = store_->create_release(rollback);
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->revision, 3);
  got = store_->get_release(web_dev, 3);
  EXPECT_EQ(got->kind, ReleaseKind::kRollback);
  EXPECT_EQ(got->rollback_of, 1);
  EXPECT_FALSE(got->config_version);

  auto missing = store_->get_release(web_dev, 99);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(missing.error().message, HasSubstr("release 99 of app \"web\""));
}

TEST_F(ReleaseTest, CreateNeedsTheAppAndTheEnvironment) {
  auto no_app = store_->create_release(release_for("shop", "ghost", "dev"));
  ASSERT_FALSE(no_app);
  EXPECT_EQ(no_app.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(no_app.error().message, HasSubstr("app \"ghost\""));
  auto no_env = store_->create_release(release_for("shop", "web", "staging"));
  ASSERT_FALSE(no_env);
  EXPECT_EQ(no_env.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(no_env.error().message, HasSubstr("environment \"staging\""));
  EXPECT_EQ(count_rows("releases"), 0);
}

TEST_F(ReleaseTest, CreateSupersedesOlderUnfinishedReleases) {
  Release r1 = release("shop", "web", "dev");
  Release r2 = release("shop", "web", "dev");
  r2.status = ReleaseStatus::kProgressing;
  ASSERT_TRUE(store_->update_release_status(r2));
  Release other_env = release("shop", "web", "prod");

  auto old1 = store_->get_release(web_dev, 1);
  EXPECT_EQ(old1->status, ReleaseStatus::kFailed);
  EXPECT_EQ(old1->reason, "Superseded by revision 2");
  EXPECT_FALSE(old1->finished_at.empty());
  EXPECT_GT(old1->resource_version, r1.resource_version);

  Release r3 = release("shop", "web", "dev");
  auto old2 = store_->get_release(web_dev, 2);
  EXPECT_EQ(old2->status, ReleaseStatus::kFailed);
  EXPECT_EQ(old2->reason, "Superseded by revision 3");
  EXPECT_EQ(old2->resource_version, r3.resource_version);  // stamped by the same transaction
  // Revision 1 was already failed: its reason stays.
  EXPECT_EQ(store_->get_release(web_dev, 1)->reason, "Superseded by revision 2");
  // Other environments are untouched.
  EXPECT_EQ(store_->get_release({"shop", "web", "prod"}, 1)->status, ReleaseStatus::kPending);

  // A succeeded release is history, not superseded.
  r3.status = ReleaseStatus::kSucceeded;
  ASSERT_TRUE(store_->update_release_status(r3));
  release("shop", "web", "dev");
  auto done = store_->get_release(web_dev, 3);
  EXPECT_EQ(done->status, ReleaseStatus::kSucceeded);
  EXPECT_EQ(done->reason, "");
}

TEST_F(ReleaseTest, UpdateStatusEnforcesTransitionsAndVersions) {
  Release r = release("shop", "web", "dev");
  EXPECT_TRUE(r.finished_at.empty());

  Release progressing = r;
  progressing.status = ReleaseStatus::kProgressing;
  progressing.image_digest = "sha256:abc";
  progressing.clusters = {ClusterRollout{"local", ReleaseStatus::kProgressing, 1, 2, "1 of 2 ready"}};
  auto p = store_->update_release_status(progressing);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->status, ReleaseStatus::kProgressing);
  EXPECT_EQ(p->image_digest, "sha256:abc");
  EXPECT_EQ(p->clusters, progressing.clusters);
  EXPECT_TRUE(p->finished_at.empty());
  EXPECT_GT(p->resource_version, r.resource_version);
  EXPECT_EQ(p->spec, r.spec);  // untouched columns come back as stored
  EXPECT_EQ(store_->get_release(web_dev, 1)->resource_version, p->resource_version);

  // The version the caller read is stale now.
  Release stale = progressing;
  stale.status = ReleaseStatus::kSucceeded;
  auto s = store_->update_release_status(stale);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
  EXPECT_EQ(s.error().field, "resourceVersion");

  Release back = *p;
  back.status = ReleaseStatus::kPending;
  auto b = store_->update_release_status(back);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, ErrorCode::kConflict);
  EXPECT_EQ(b.error().field, "status");
  EXPECT_THAT(b.error().message, HasSubstr("is progressing and cannot become pending"));

  Release same = *p;  // same-state updates are allowed (progress reports)
  same.clusters[0].ready = 2;
  auto again = store_->update_release_status(same);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->clusters[0].ready, 2);

  Release done = *again;
  done.status = ReleaseStatus::kSucceeded;
  auto d = store_->update_release_status(done);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->finished_at.empty()) << "the store stamps finished_at of a terminal release";

  Release idempotent = *d;
  idempotent.finished_at = "";
  auto i = store_->update_release_status(idempotent);
  ASSERT_TRUE(i);
  EXPECT_EQ(i->finished_at, d->finished_at) << "a repeated terminal update keeps the first finish time";

  Release reopen = *i;
  reopen.status = ReleaseStatus::kFailed;
  EXPECT_EQ(store_->update_release_status(reopen).error().code, ErrorCode::kConflict);
  reopen.status = ReleaseStatus::kProgressing;
  EXPECT_EQ(store_->update_release_status(reopen).error().code, ErrorCode::kConflict);

  Release given = release("shop", "web", "prod");
  given.status = ReleaseStatus::kFailed;
  given.reason = "ProgressDeadlineExceeded: 0 of 2 ready after 600s";
  given.finished_at = "2030-01-01T00:00:00.000Z";
  auto f = store_->update_release_status(given);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->finished_at, "2030-01-01T00:00:00.000Z");
  EXPECT_EQ(f->reason, given.reason);

  Release missing = given;
  missing.revision = 42;
  EXPECT_EQ(store_->update_release_status(missing).error().code, ErrorCode::kNotFound);
}

TEST_F(ReleaseTest, ListRecentAndPaginateNewestFirst) {
  for (int i = 0; i < 25; ++i) release("shop", "web", "dev", "v" + std::to_string(i));
  release("shop", "web", "prod");

  std::vector<int64_t> revisions;
  ListOptions options;
  options.limit = 10;
  int pages = 0;
  do {
    auto page = store_->list_releases(web_dev, options);
    ASSERT_TRUE(page) << page.error().message;
    ++pages;
    for (const auto& r : page->items) revisions.push_back(r.revision);
    options.continue_token = page->continue_token;
  } while (!options.continue_token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(revisions.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(revisions[i], 25 - i);

  auto recent = store_->recent_releases(web_dev, 3);
  ASSERT_TRUE(recent);
  ASSERT_EQ(recent->size(), 3u);
  EXPECT_EQ((*recent)[0].revision, 25);
  EXPECT_EQ((*recent)[2].revision, 23);
  EXPECT_EQ((*recent)[0].image, "127.0.0.1:5000/team/web:v24");
  EXPECT_TRUE(store_->recent_releases(web_dev, 0)->empty());
  EXPECT_TRUE(store_->recent_releases({"shop", "api", "dev"}, 5)->empty());
}

TEST_F(ReleaseTest, ActiveAndDesiredReleases) {
  EXPECT_TRUE(store_->active_releases()->empty());
  EXPECT_TRUE(store_->desired_releases("")->empty());

  release("shop", "web", "dev");
  Release web_dev2 = release("shop", "web", "dev");  // supersedes 1
  Release web_prod = release("shop", "web", "prod");
  web_prod.status = ReleaseStatus::kSucceeded;
  ASSERT_TRUE(store_->update_release_status(web_prod));
  Release api_dev = release("shop", "api", "dev");
  api_dev.status = ReleaseStatus::kProgressing;
  ASSERT_TRUE(store_->update_release_status(api_dev));

  auto active = store_->active_releases();
  ASSERT_TRUE(active) << active.error().message;
  ASSERT_EQ(active->size(), 2u);
  EXPECT_EQ((*active)[0].app, "api");
  EXPECT_EQ((*active)[0].status, ReleaseStatus::kProgressing);
  EXPECT_EQ((*active)[1].app, "web");
  EXPECT_EQ((*active)[1].environment, "dev");
  EXPECT_EQ((*active)[1].revision, 2);

  auto desired = store_->desired_releases("");
  ASSERT_TRUE(desired) << desired.error().message;
  ASSERT_EQ(desired->size(), 3u);
  EXPECT_EQ((*desired)[0].app, "api");
  EXPECT_EQ((*desired)[1].environment, "dev");
  EXPECT_EQ((*desired)[1].revision, 2);
  EXPECT_EQ((*desired)[2].environment, "prod");
  EXPECT_EQ((*desired)[2].status, ReleaseStatus::kSucceeded);

  // A newer succeeded release hides an older unfinished one from the work list.
  web_dev2.status = ReleaseStatus::kSucceeded;
  ASSERT_TRUE(store_->update_release_status(web_dev2));
  active = store_->active_releases();
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ((*active)[0].app, "api");
}

TEST_F(ReleaseTest, ReplaceInstancesPerCluster) {
  Cluster k8s;
  k8s.name = "eu";
  k8s.type = "kubernetes";
  ASSERT_TRUE(store_->create_cluster(k8s, ""));

  Instance a;
  a.name = "web-a";
  a.state = "running";
  a.ready = true;
  a.restarts = 2;
  a.address = "10.0.0.5:8080";
  a.node = "node-1";
  a.started_at = "2026-01-01T00:00:00.000Z";
  a.release = 3;
  Instance b = a;
  b.name = "web-b";
  b.state = "exited";
  b.ready = false;
  b.reason = "OOMKilled";
  ASSERT_TRUE(store_->replace_instances(web_dev, "local", {a, b}));
  Instance c = a;
  c.name = "web-c";
  c.cluster = "ignored";  // the cluster argument wins
  ASSERT_TRUE(store_->replace_instances(web_dev, "eu", {c}));

  auto all = store_->list_instances(web_dev);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].cluster, "eu");
  EXPECT_EQ((*all)[1].name, "web-a");
  EXPECT_EQ((*all)[1].cluster, "local");
  EXPECT_TRUE((*all)[1].ready);
  EXPECT_EQ((*all)[1].restarts, 2);
  EXPECT_EQ((*all)[1].address, "10.0.0.5:8080");
  EXPECT_EQ((*all)[1].node, "node-1");
  EXPECT_EQ((*all)[1].started_at, "2026-01-01T00:00:00.000Z");
  EXPECT_EQ((*all)[1].release, 3);
  EXPECT_EQ((*all)[2].reason, "OOMKilled");
  EXPECT_FALSE((*all)[2].ready);

  // Wholesale replacement of one cluster leaves the other alone.
  ASSERT_TRUE(store_->replace_instances(web_dev, "local", {b}));
  all = store_->list_instances(web_dev);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].name, "web-b");
  ASSERT_TRUE(store_->replace_instances(web_dev, "local", {}));
  EXPECT_EQ(store_->list_instances(web_dev)->size(), 1u);
  EXPECT_TRUE(store_->list_instances({"shop", "web", "prod"})->empty());

  auto dup = store_->replace_instances(web_dev, "local", {a, a});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->list_instances(web_dev)->size(), 1u) << "the failed replace rolled back";

  EXPECT_EQ(store_->replace_instances({"shop", "ghost", "dev"}, "local", {a}).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->replace_instances({"shop", "web", "qa"}, "local", {a}).error().code,
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace wharf::testing
