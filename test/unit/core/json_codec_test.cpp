#include "core/json_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace wharf {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;
namespace jc = json_codec;

constexpr const char* kApiExample = R"({
  "name": "web",
  "image": "127.0.0.1:5000/team/web:1.4.2",
  "command": ["/bin/server"], "args": ["--port", "8080"],
  "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
  "env": {"JAVA_OPTS": "-Xmx512m"},
  "resources": {"cpu": "500m", "memory": "512Mi"},
  "qos": "standard",
  "replicas": 3,
  "healthCheck": {"readiness": {"http": {"path": "/healthz", "port": "http"}, "periodSeconds": 5},
                  "liveness":  {"tcp": {"port": "http"}, "initialDelaySeconds": 10}},
  "strategy": {"maxSurge": 1, "maxUnavailable": 0, "progressDeadlineSeconds": 120}
})";

AppSpec api_example() {
  AppSpec s;
  s.name = "web";
  s.image = "127.0.0.1:5000/team/web:1.4.2";
  s.command = {"/bin/server"};
  s.args = {"--port", "8080"};
  s.ports = {{"http", 8080, "TCP"}};
  s.env = {{"JAVA_OPTS", "-Xmx512m"}};
  s.resources = {"500m", "512Mi"};
  s.replicas = 3;
  Probe readiness;
  readiness.path = "/healthz";
  readiness.port.name = "http";
  readiness.period_seconds = 5;
  Probe liveness;
  liveness.kind = Probe::Kind::kTcp;
  liveness.path = "/";
  liveness.port.name = "http";
  liveness.initial_delay_seconds = 10;
  s.health_check = {readiness, liveness};
  s.strategy = {{1, false}, {0, false}, 120};
  return s;
}

json example_json() {
  return json::parse(kApiExample);
}

// Decodes `j` as an app spec and expects an `invalid` error on `field` whose message contains `part`.
void expect_spec_error(const json& j, const std::string& field, const std::string& part) {
  auto r = jc::decode_app_spec(j);
  ASSERT_FALSE(r) << j.dump();
  EXPECT_EQ(r.error().code, ErrorCode::kInvalid) << j.dump();
  EXPECT_EQ(r.error().field, field) << j.dump() << " -> " << r.error().message;
  EXPECT_THAT(r.error().message, HasSubstr(part)) << j.dump();
}

// ---- parse ----

TEST(Parse, AcceptsJson) {
  auto r = jc::parse(R"({"a": [1, 2]})");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["a"][1], 2);
}

TEST(Parse, SyntaxErrorNamesTheByte) {
  auto r = jc::parse(R"({"a": 1,})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
  EXPECT_THAT(r.error().message, HasSubstr("not valid JSON"));
  EXPECT_THAT(r.error().message, HasSubstr("at byte 9"));
  EXPECT_THAT(r.error().message, ::testing::Not(HasSubstr("json.exception")));
}

TEST(Parse, EmptyAndGarbage) {
  for (const char* text : {"", "   \n", "{", "nul", "[1,]", "{\"a\" 1}", "\"\xff\""}) {
    auto r = jc::parse(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
  }
  EXPECT_THAT(jc::parse("").error().message, HasSubstr("empty"));
}

TEST(Parse, DeepNestingDoesNotCrash) {
  std::string deep(100000, '[');
  EXPECT_FALSE(jc::parse(deep));
  deep += std::string(100000, ']');
  auto r = jc::parse(deep);
  ASSERT_TRUE(r);
  EXPECT_FALSE(jc::decode_app_spec(*r));
}

// ---- app spec ----

TEST(DecodeAppSpec, ApiExample) {
  auto r = jc::decode_app_spec(example_json());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, api_example());
}

TEST(DecodeAppSpec, MinimalSpecGetsDefaults) {
  auto r = jc::decode_app_spec(json{{"name", "web"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->replicas, 1);
  EXPECT_EQ(r->qos, QosTier::kStandard);
  EXPECT_EQ(r->strategy, Strategy{});
  EXPECT_TRUE(r->image.empty());
}

TEST(DecodeAppSpec, NullMeansAbsent) {
  json j = example_json();
  j["replicas"] = nullptr;
  j["healthCheck"]["liveness"] = nullptr;
  j["strategy"] = nullptr;
  auto r = jc::decode_app_spec(j);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->replicas, 1);
  EXPECT_FALSE(r->health_check.liveness);
  EXPECT_EQ(r->strategy, Strategy{});
}

TEST(DecodeAppSpec, IgnoresReadOnlyFieldsSoGetThenPutWorks) {
  App app{"shop", api_example(), 12, "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"};
  json got = jc::encode(app);
  got["status"] = {{"prod", {{"revision", 3}}}};
  auto r = jc::decode_app_spec(got);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, app.spec);
}

TEST(DecodeAppSpec, UnknownFieldsSuggestNearMisses) {
  json j = example_json();
  j["replica"] = 3;
  expect_spec_error(j, "replica", "unknown field \"replica\"; did you mean \"replicas\"?");

  j = example_json();
  j["healthcheck"] = json::object();
  expect_spec_error(j, "healthcheck", "did you mean \"healthCheck\"?");

  j = example_json();
  j["strategy"]["max_surge"] = 1;
  expect_spec_error(j, "strategy.max_surge",
                    "unknown field \"max_surge\" in strategy; did you mean \"maxSurge\"?");

  j = example_json();
  j["ports"][0]["nmae"] = "x";
  expect_spec_error(j, "ports[0].nmae", "did you mean \"name\"?");

  j = example_json();
  j["healthCheck"]["readiness"]["perodSeconds"] = 1;
  expect_spec_error(j, "healthCheck.readiness.perodSeconds", "did you mean \"periodSeconds\"?");

  j = example_json();
  j["healthCheck"]["readiness"]["http"]["host"] = "x";
  expect_spec_error(j, "healthCheck.readiness.http.host", "known fields: path, port");

  j = example_json();
  j["volumes"] = json::array();
  expect_spec_error(j, "volumes", "remove it (known fields: name, image,");

  j = example_json();
  j["resources"]["gpu"] = "1";
  expect_spec_error(j, "resources.gpu", "unknown field \"gpu\" in resources");
}

TEST(DecodeAppSpec, WrongTypesNameTheField) {
  struct Case {
    const char* pointer;
    json value;
    const char* field;
    const char* part;
  } cases[] = {
      {"/replicas", "3", "replicas", "replicas must be an integer, not a string"},
      {"/replicas", 2.5, "replicas", "replicas must be a whole number; got 2.5"},
      {"/replicas", true, "replicas", "must be an integer"},
      {"/replicas", 10000000000LL, "replicas", "too large"},
      {"/replicas", 18446744073709551615ULL, "replicas", "too large"},
      {"/replicas", -10000000000LL, "replicas", "too small"},
      {"/name", 7, "name", "name must be a string, not a number"},
      {"/image", json::array(), "image", "must be a string, not a list"},
      {"/command", "/bin/server", "command", "a list of strings"},
      {"/args/1", 8080, "args[1]", "must be a string"},
      {"/ports", json::object(), "ports", "must be a list"},
      {"/ports/0", "http", "ports[0]", "must be an object"},
      {"/ports/0/port", "8080", "ports[0].port", "must be an integer"},
      {"/ports/0/protocol", 6, "ports[0].protocol", "must be a string"},
      {"/env", json::array(), "env", "an object"},
      {"/env/JAVA_OPTS", 512, "env.JAVA_OPTS", "put the value in quotes"},
      {"/resources", "500m", "resources", "must be an object"},
      {"/resources/cpu", true, "resources.cpu", "a quantity such as \"500m\""},
      {"/resources/memory", json::array(), "resources.memory", "a quantity such as \"512Mi\""},
      {"/qos", 1, "qos", "one of \"critical\""},
      {"/healthCheck", json::array(), "healthCheck", "must be an object"},
      {"/healthCheck/readiness", "http", "healthCheck.readiness", "must be an object"},
      {"/healthCheck/readiness/http", "/healthz", "healthCheck.readiness.http", "must be an object"},
      {"/healthCheck/readiness/http/port", true, "healthCheck.readiness.http.port",
       "a port number or the name"},
      {"/healthCheck/readiness/http/path", 1, "healthCheck.readiness.http.path", "must be a string"},
      {"/healthCheck/readiness/periodSeconds", "5", "healthCheck.readiness.periodSeconds",
       "must be an integer"},
      {"/strategy", 1, "strategy", "must be an object"},
      {"/strategy/maxSurge", "abc", "strategy.maxSurge", "a number or a percentage such as \"25%\""},
      {"/strategy/maxSurge", "25", "strategy.maxSurge", "a percentage"},
      {"/strategy/maxSurge", "%", "strategy.maxSurge", "a percentage"},
      {"/strategy/maxSurge", "1000000000000%", "strategy.maxSurge", "a percentage"},
      {"/strategy/maxUnavailable", json::array(), "strategy.maxUnavailable", "not a list"},
      {"/strategy/progressDeadlineSeconds", "120s", "strategy.progressDeadlineSeconds", "must be an integer"},
  };
  for (const auto& c : cases) {
    json j = example_json();
    j[json::json_pointer(c.pointer)] = c.value;
    expect_spec_error(j, c.field, c.part);
  }
}

TEST(DecodeAppSpec, RootMustBeAnObject) {
  for (const json& j : {json::array(), json("web"), json(nullptr), json(3)}) {
    auto r = jc::decode_app_spec(j);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "");
    EXPECT_THAT(r.error().message, HasSubstr("must be a JSON object"));
  }
}

TEST(DecodeAppSpec, AppliesValidation) {
  json j = example_json();
  j["replicas"] = 5000;
  expect_spec_error(j, "replicas", "replicas must be between 0 and 1000; got 5000");
  j = example_json();
  j["ports"].push_back({{"name", "admin"}, {"port", 70000}});
  expect_spec_error(j, "ports[1].port", "between 1 and 65535");
  j = example_json();
  j["healthCheck"]["readiness"]["http"]["port"] = "grpc";
  expect_spec_error(j, "healthCheck.readiness.http.port", "not the name of one of the app's ports");
  j = example_json();
  j["resources"]["memory"] = "512MB";
  expect_spec_error(j, "resources.memory", "memory \"512MB\" is not a valid quantity");
  j = example_json();
  j["qos"] = "gold";
  expect_spec_error(j, "qos", "critical, standard, elastic or batch");
  j = example_json();
  j["strategy"]["maxSurge"] = "-5%";
  expect_spec_error(j, "strategy.maxSurge", "must not be negative; got -5%");
  j = example_json();
  j["strategy"]["maxUnavailable"] = "101%";
  expect_spec_error(j, "strategy.maxUnavailable", "between 0% and 100%");
}

TEST(DecodeAppSpec, ProbeNeedsExactlyOneWay) {
  json j = example_json();
  j["healthCheck"]["readiness"] = {{"periodSeconds", 5}};
  expect_spec_error(j, "healthCheck.readiness", "needs one way to check the app: http, tcp or exec");
  j = example_json();
  j["healthCheck"]["liveness"]["http"] = {{"path", "/"}, {"port", 8080}};
  expect_spec_error(j, "healthCheck.liveness.tcp", "has both http and tcp");
  j = example_json();
  j["healthCheck"]["liveness"] = {{"tcp", {{"port", 1}}}, {"exec", {{"command", {"x"}}}}};
  expect_spec_error(j, "healthCheck.liveness.exec", "has both tcp and exec");
  j = example_json();
  j["healthCheck"]["liveness"] = {{"tcp", json::object()}};
  expect_spec_error(j, "healthCheck.liveness.tcp.port", "is required");
  j = example_json();
  j["healthCheck"]["liveness"] = {{"exec", {{"command", json::array()}}}};
  expect_spec_error(j, "healthCheck.liveness.exec.command", "is empty");
  j = example_json();
  j["healthCheck"]["liveness"] = {{"exec", {{"cmd", {"x"}}}}};
  expect_spec_error(j, "healthCheck.liveness.exec.cmd", "did you mean \"command\"?");
}

TEST(DecodeAppSpec, ProbeForms) {
  json j = example_json();
  j["healthCheck"]["readiness"]["http"] = {{"port", "8080"}};  // path defaults to "/"; digits are a number
  j["healthCheck"]["liveness"] = {{"exec", {{"command", {"/bin/check", "-q"}}}},
                                  {"successThreshold", 1},
                                  {"failureThreshold", 5},
                                  {"timeoutSeconds", 2}};
  auto r = jc::decode_app_spec(j);
  ASSERT_TRUE(r) << r.error().message;
  const Probe& rd = *r->health_check.readiness;
  EXPECT_EQ(rd.kind, Probe::Kind::kHttp);
  EXPECT_EQ(rd.path, "/");
  EXPECT_EQ(rd.port, (PortRef{"", 8080}));
  const Probe& lv = *r->health_check.liveness;
  EXPECT_EQ(lv.kind, Probe::Kind::kExec);
  EXPECT_EQ(lv.command, (std::vector<std::string>{"/bin/check", "-q"}));
  EXPECT_EQ(lv.failure_threshold, 5);
  EXPECT_EQ(lv.timeout_seconds, 2);
}

TEST(DecodeAppSpec, StrategyPercentagesAndNumbers) {
  json j = example_json();
  j["strategy"] = {{"maxSurge", "25%"}, {"maxUnavailable", "0%"}};
  auto r = jc::decode_app_spec(j);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->strategy.max_surge, (IntOrPercent{25, true}));
  EXPECT_EQ(r->strategy.max_unavailable, (IntOrPercent{0, true}));
  EXPECT_EQ(r->strategy.progress_deadline_seconds, 600);
  j["strategy"] = {{"maxSurge", 0}, {"maxUnavailable", 3.0}};
  r = jc::decode_app_spec(j);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->strategy.max_unavailable, (IntOrPercent{3, false}));
}

TEST(DecodeAppSpec, QuantitiesMayBeJsonNumbers) {
  json j = example_json();
  j["resources"] = {{"cpu", 2}, {"memory", 1073741824}};
  auto r = jc::decode_app_spec(j);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->resources.cpu, "2");
  EXPECT_EQ(r->resources.memory, "1073741824");
  j["resources"] = {{"cpu", 0.5}};
  r = jc::decode_app_spec(j);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->resources.cpu, "0.5");
}

TEST(DecodeAppSpec, PortsDefaultToTcp) {
  json j = {
      {"name", "dns"},
      {"ports", {{{"name", "dns"}, {"port", 53}}, {{"name", "dns-udp"}, {"port", 53}, {"protocol", "UDP"}}}}};
  auto r = jc::decode_app_spec(j);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->ports.size(), 2u);
  EXPECT_EQ(r->ports[0].protocol, "TCP");
  EXPECT_EQ(r->ports[1].protocol, "UDP");
}

// ---- encoders ----

TEST(EncodeAppSpec, UsesApiNames) {
  json j = jc::encode(api_example());
  EXPECT_EQ(j["name"], "web");
  EXPECT_EQ(j["ports"][0], (json{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}));
  EXPECT_EQ(j["resources"], (json{{"cpu", "500m"}, {"memory", "512Mi"}}));
  EXPECT_EQ(j["qos"], "standard");
  EXPECT_EQ(j["healthCheck"]["readiness"]["http"], (json{{"path", "/healthz"}, {"port", "http"}}));
  EXPECT_EQ(j["healthCheck"]["readiness"]["periodSeconds"], 5);
  EXPECT_EQ(j["healthCheck"]["liveness"]["tcp"], (json{{"port", "http"}}));
  EXPECT_EQ(j["healthCheck"]["liveness"]["initialDelaySeconds"], 10);
  EXPECT_EQ(j["strategy"], (json{{"maxSurge", 1}, {"maxUnavailable", 0}, {"progressDeadlineSeconds", 120}}));
  AppSpec s = api_example();
  s.strategy.max_surge = {25, true};
  s.resources = {};
  s.health_check.readiness->port = {"", 9000};
  j = jc::encode(s);
  EXPECT_EQ(j["strategy"]["maxSurge"], "25%");
  EXPECT_EQ(j["resources"], json::object());
  EXPECT_EQ(j["healthCheck"]["readiness"]["http"]["port"], 9000);
}

TEST(EncodeApp, SpecAtTopLevelPlusMetadata) {
  App app{"shop", api_example(), 12, "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"};
  json j = jc::encode(app);
  EXPECT_EQ(j["name"], "web");
  EXPECT_EQ(j["replicas"], 3);
  EXPECT_EQ(j["project"], "shop");
  EXPECT_EQ(j["resourceVersion"], 12);
  EXPECT_EQ(j["createdAt"], "2024-01-01T00:00:00Z");
  EXPECT_EQ(j["updatedAt"], "2024-01-02T00:00:00Z");
  EXPECT_FALSE(j.contains("spec"));
}

Release full_release() {
  Release r;
  r.project = "shop";
  r.app = "web";
  r.environment = "prod";
  r.revision = 7;
  r.image = "127.0.0.1:5000/team/web:1.4.2";
  r.image_digest = "sha256:" + std::string(64, 'a');
  r.config_version = 12;
  r.replicas = 3;
  r.spec = api_example();
  r.kind = ReleaseKind::kRollback;
  r.rollback_of = 5;
  r.status = ReleaseStatus::kProgressing;
  r.message = "why";
  r.reason = "ProgressDeadlineExceeded: slow";
  r.created_by = "alice";
  r.created_at = "2024-01-01T00:00:00Z";
  r.finished_at = "2024-01-01T00:02:00Z";
  r.clusters = {{"local", ReleaseStatus::kSucceeded, 3, 3, ""},
                {"dc-2", ReleaseStatus::kFailed, 1, 3, "quota"}};
  r.resource_version = 4;
  return r;
}

TEST(EncodeRelease, AllApiFields) {
  json j = jc::encode(full_release());
  EXPECT_EQ(j["revision"], 7);
  EXPECT_EQ(j["app"], "web");
  EXPECT_EQ(j["environment"], "prod");
  EXPECT_EQ(j["image"], "127.0.0.1:5000/team/web:1.4.2");
  EXPECT_EQ(j["imageDigest"], "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(j["configVersion"], 12);
  EXPECT_EQ(j["replicas"], 3);
  EXPECT_EQ(j["spec"], jc::encode(api_example()));
  EXPECT_EQ(j["kind"], "rollback");
  EXPECT_EQ(j["rollbackOf"], 5);
  EXPECT_EQ(j["status"], "progressing");
  EXPECT_EQ(j["message"], "why");
  EXPECT_EQ(j["reason"], "ProgressDeadlineExceeded: slow");
  EXPECT_EQ(j["createdBy"], "alice");
  EXPECT_EQ(j["createdAt"], "2024-01-01T00:00:00Z");
  EXPECT_EQ(j["finishedAt"], "2024-01-01T00:02:00Z");
  ASSERT_EQ(j["clusters"].size(), 2u);
  EXPECT_EQ(j["clusters"][0],
            (json{{"cluster", "local"}, {"status", "succeeded"}, {"ready", 3}, {"desired", 3}}));
  EXPECT_EQ(j["clusters"][1]["message"], "quota");
  EXPECT_EQ(j["clusters"][1]["status"], "failed");
}

TEST(EncodeRelease, OmitsEmptyOptionalFields) {
  Release r = full_release();
  r.image_digest.clear();
  r.config_version.reset();
  r.rollback_of.reset();
  r.message.clear();
  r.reason.clear();
  r.finished_at.clear();
  r.clusters.clear();
  json j = jc::encode(r);
  for (const char* key : {"imageDigest", "configVersion", "rollbackOf", "message", "reason", "finishedAt"}) {
    EXPECT_FALSE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["clusters"], json::array());
}

TEST(EncodeOthers, ProjectEnvironmentClusterInstance) {
  json p = jc::encode(Project{"shop", "Shop", "desc", 3, "t1", "t2"});
  EXPECT_EQ(p, (json{{"name", "shop"},
                     {"displayName", "Shop"},
                     {"description", "desc"},
                     {"resourceVersion", 3},
                     {"createdAt", "t1"},
                     {"updatedAt", "t2"}}));
  Environment e;
  e.project = "shop";
  e.name = "prod";
  e.clusters = {"local", "dc-2"};
  e.ns = "shop-prod";
  e.policy.production = true;
  e.resource_version = 2;
  json ej = jc::encode(e);
  EXPECT_EQ(ej["namespace"], "shop-prod");
  EXPECT_EQ(ej["policy"], (json{{"production", true}}));
  EXPECT_EQ(ej["clusters"], (json{"local", "dc-2"}));
  EXPECT_EQ(ej["project"], "shop");
  EXPECT_EQ(ej["resourceVersion"], 2);

  json cj = jc::encode(Cluster{"local", "local", "", 1, "t"});
  EXPECT_FALSE(cj.contains("server"));
  EXPECT_EQ(cj["type"], "local");
  cj = jc::encode(Cluster{"dc-2", "kubernetes", "https://10.0.0.1:6443", 1, "t"});
  EXPECT_EQ(cj["server"], "https://10.0.0.1:6443");

  Instance i{"web-7-abc", "running", true, 2, "10.1.0.5:8080", "local", "node-1", "t", 7, ""};
  json ij = jc::encode(i);
  EXPECT_EQ(ij, (json{{"name", "web-7-abc"},
                      {"state", "running"},
                      {"ready", true},
                      {"restarts", 2},
                      {"address", "10.1.0.5:8080"},
                      {"cluster", "local"},
                      {"node", "node-1"},
                      {"startedAt", "t"},
                      {"release", 7}}));
  i.reason = "OOMKilled";
  EXPECT_EQ(jc::encode(i)["reason"], "OOMKilled");
}

// ---- project and environment ----

TEST(DecodeProject, ReadsAndValidates) {
  auto r = jc::decode_project(json{{"name", "shop"}, {"displayName", "Shop"}, {"description", "d"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->name, "shop");
  EXPECT_EQ(r->display_name, "Shop");
  EXPECT_EQ(r->description, "d");

  r = jc::decode_project(json{{"name", "Shop"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "name");
  r = jc::decode_project(json{{"name", "shop"}, {"displayname", "x"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "displayname");
  EXPECT_THAT(r.error().message, HasSubstr("did you mean \"displayName\"?"));
  r = jc::decode_project(json{{"name", "shop"}, {"description", 1}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "description");
  r = jc::decode_project(json::array());
  ASSERT_FALSE(r);
}

TEST(DecodeProject, RoundTripsItsEncodingWithResourceVersion) {
  Project p{"shop", "Shop", "desc", 9, "t1", "t2"};
  auto r = jc::decode_project(jc::encode(p));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->name, "shop");
  EXPECT_EQ(r->resource_version, 9);
  EXPECT_TRUE(r->created_at.empty()) << "timestamps are the store's";
}

TEST(DecodeEnvironment, DefaultsAndNormalizes) {
  auto r = jc::decode_environment(json{{"name", "prod"}}, "shop");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->project, "shop");
  EXPECT_EQ(r->clusters, std::vector<std::string>{"local"});
  EXPECT_EQ(r->ns, "shop-prod");
  EXPECT_FALSE(r->policy.production);

  r = jc::decode_environment(json{{"name", "prod"},
                                  {"clusters", {"local", "dc-2"}},
                                  {"namespace", "shop"},
                                  {"policy", {{"production", true}}}},
                             "shop");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->clusters.size(), 2u);
  EXPECT_EQ(r->ns, "shop");
  EXPECT_TRUE(r->policy.production);
}

TEST(DecodeEnvironment, Errors) {
  struct Case {
    json body;
    const char* field;
    const char* part;
  } cases[] = {
      {json{{"name", "Prod"}}, "name", "not a valid name"},
      {json{{"name", "prod"}, {"clusters", json::array()}}, "clusters", "at least one"},
      {json{{"name", "prod"}, {"clusters", "local"}}, "clusters", "a list of strings"},
      {json{{"name", "prod"}, {"clusters", {"local", 1}}}, "clusters[1]", "must be a string"},
      {json{{"name", "prod"}, {"clusters", {"local", "local"}}}, "clusters[1]", "already listed"},
      {json{{"name", "prod"}, {"namespace", "Bad_NS"}}, "namespace", "not valid"},
      {json{{"name", "prod"}, {"policy", {{"production", "yes"}}}}, "policy.production", "true or false"},
      {json{{"name", "prod"}, {"policy", {{"prod", true}}}}, "policy.prod", "did you mean \"production\"?"},
      {json{{"name", "prod"}, {"policy", true}}, "policy", "must be an object"},
      {json{{"name", "prod"}, {"cluster", {"local"}}}, "cluster", "did you mean \"clusters\"?"},
      {json{{"name", "prod"}, {"namespace", 5}}, "namespace", "must be a string"},
  };
  for (const auto& c : cases) {
    auto r = jc::decode_environment(c.body, "shop");
    ASSERT_FALSE(r) << c.body.dump();
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(r.error().field, c.field) << c.body.dump();
    EXPECT_THAT(r.error().message, HasSubstr(c.part)) << c.body.dump();
  }
  auto r = jc::decode_environment(json{{"name", "prod"}}, "Bad Project");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "project");
}

TEST(DecodeEnvironment, RoundTripsItsEncoding) {
  auto first = jc::decode_environment(json{{"name", "prod"}, {"clusters", {"local", "dc-2"}}}, "shop");
  ASSERT_TRUE(first);
  auto again = jc::decode_environment(jc::encode(*first), "shop");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->clusters, first->clusters);
  EXPECT_EQ(again->ns, first->ns);
}

// ---- requests ----

TEST(DecodeDeployRequest, Fields) {
  auto r = jc::decode_deploy_request(json::object());
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->image);
  EXPECT_FALSE(r->config_version);
  EXPECT_FALSE(r->replicas);
  r = jc::decode_deploy_request(
      json{{"image", "reg.io/web:2"}, {"configVersion", 12}, {"replicas", 0}, {"message", "go"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->image, "reg.io/web:2");
  EXPECT_EQ(r->config_version, 12);
  EXPECT_EQ(r->replicas, 0);
  EXPECT_EQ(r->message, "go");
  r = jc::decode_deploy_request(json{{"image", nullptr}, {"configVersion", nullptr}});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->image);
  EXPECT_FALSE(r->config_version);
}

TEST(DecodeDeployRequest, Errors) {
  struct Case {
    json body;
    const char* field;
    const char* part;
  } cases[] = {
      {json{{"image", ""}}, "image", "must not be empty"},
      {json{{"image", "Web App"}}, "image", "not a valid image reference"},
      {json{{"image", 3}}, "image", "must be a string"},
      {json{{"replicas", 5000}}, "replicas", "replicas must be between 0 and 1000; got 5000"},
      {json{{"replicas", -1}}, "replicas", "got -1"},
      {json{{"replicas", "2"}}, "replicas", "must be an integer"},
      {json{{"configVersion", 0}}, "configVersion", "1 or more"},
      {json{{"configVersion", "v3"}}, "configVersion", "must be an integer"},
      {json{{"message", false}}, "message", "must be a string"},
      {json{{"replica", 2}}, "replica", "did you mean \"replicas\"?"},
      {json{{"tag", "1.0"}}, "tag", "known fields: image, configVersion, replicas, message"},
      {json::array(), "", "must be a JSON object"},
  };
  for (const auto& c : cases) {
    auto r = jc::decode_deploy_request(c.body);
    ASSERT_FALSE(r) << c.body.dump();
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(r.error().field, c.field) << c.body.dump();
    EXPECT_THAT(r.error().message, HasSubstr(c.part)) << c.body.dump();
  }
}

TEST(DecodeRollbackRequest, FieldsAndErrors) {
  auto r = jc::decode_rollback_request(json::object());
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->to_revision);
  r = jc::decode_rollback_request(json{{"toRevision", 5}, {"message", "bad"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->to_revision, 5);
  EXPECT_EQ(r->message, "bad");
  r = jc::decode_rollback_request(json{{"toRevision", 0}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "toRevision");
  r = jc::decode_rollback_request(json{{"toRevision", "5"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "toRevision");
  r = jc::decode_rollback_request(json{{"revision", 5}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "revision");
  EXPECT_THAT(r.error().message, HasSubstr("did you mean \"toRevision\"?"));
}

// ---- spec text ----

std::vector<AppSpec> varied_specs() {
  std::vector<AppSpec> out;
  out.push_back(api_example());
  AppSpec minimal;
  minimal.name = "w";
  out.push_back(minimal);
  AppSpec s = api_example();
  s.image = "";
  s.qos = QosTier::kBatch;
  s.replicas = 0;
  s.ports = {{"", 53, "UDP"}};
  s.env = {{"GREETING", "你好, \"world\"\n\ttab"}, {"EMPTY", ""}, {"my.dotted-name", "="}};
  s.resources = {"", "1.5Gi"};
  s.health_check.readiness->port = {"", 53};
  s.health_check.liveness =
      Probe{Probe::Kind::kExec, "/", {}, {"/bin/sh", "-c", "test -f /ready"}, 0, 3, 2, 1, 4};
  s.strategy = {{25, true}, {10, true}, 86400};
  out.push_back(s);
  s.health_check = {};
  s.command = {};
  s.args = {"", "x"};
  s.qos = QosTier::kCritical;
  out.push_back(s);
  return out;
}

TEST(SpecText, RoundTripsExactly) {
  for (const AppSpec& spec : varied_specs()) {
    std::string text = jc::spec_to_text(spec);
    auto back = jc::spec_from_text(text);
    ASSERT_TRUE(back) << text << ": " << back.error().message;
    EXPECT_EQ(*back, spec) << text;
    EXPECT_EQ(jc::spec_to_text(*back), text);
    EXPECT_EQ(text.find('\n'), std::string::npos) << "compact text";
  }
}

TEST(SpecText, AlsoRoundTripsThroughTheApiDecoder) {
  for (const AppSpec& spec : varied_specs()) {
    auto back = jc::decode_app_spec(jc::encode(spec));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, spec);
  }
}

TEST(SpecText, StoredSpecsStayReadableWhenRulesTighten) {
  // A stored spec is read by shape only; validation is for input.
  auto r = jc::spec_from_text(R"({"name":"web","replicas":5000})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->replicas, 5000);
}

TEST(SpecText, BadTextIsAnErrorNotACrash) {
  EXPECT_FALSE(jc::spec_from_text(""));
  EXPECT_FALSE(jc::spec_from_text("{"));
  EXPECT_FALSE(jc::spec_from_text("[]"));
  EXPECT_FALSE(jc::spec_from_text(R"({"name":"web","replicas":"x"})"));
}

TEST(SpecText, InvalidUtf8DoesNotThrow) {
  AppSpec s;
  s.name = "web";
  s.env["BAD"] = "\xff\xfe";
  std::string text;
  EXPECT_NO_THROW(text = jc::spec_to_text(s));
  EXPECT_TRUE(jc::spec_from_text(text));
}

}  // namespace
}  // namespace wharf
