#include "core/app_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace wharf {
namespace {

using ::testing::HasSubstr;

// The API.md example.
AppSpec example() {
  AppSpec s;
  s.name = "web";
  s.image = "127.0.0.1:5000/team/web:1.4.2";
  s.command = {"/bin/server"};
  s.args = {"--port", "8080"};
  s.ports = {{"http", 8080, "TCP"}};
  s.env = {{"JAVA_OPTS", "-Xmx512m"}};
  s.resources = {"500m", "512Mi"};
  s.qos = QosTier::kStandard;
  s.replicas = 3;
  Probe readiness;
  readiness.kind = Probe::Kind::kHttp;
  readiness.path = "/healthz";
  readiness.port.name = "http";
  readiness.period_seconds = 5;
  Probe liveness;
  liveness.kind = Probe::Kind::kTcp;
  liveness.port.name = "http";
  liveness.initial_delay_seconds = 10;
  s.health_check = {readiness, liveness};
  s.strategy = {{1, false}, {0, false}, 120};
  return s;
}

TEST(ValidateAppSpec, AcceptsTheApiExample) {
  auto s = validate_app_spec(example());
  EXPECT_TRUE(s) << s.error().message;
}

TEST(ValidateAppSpec, AcceptsAMinimalSpec) {
  AppSpec s;
  s.name = "w";
  EXPECT_TRUE(validate_app_spec(s));  // no image yet: the first deploy supplies it
}

TEST(ValidateAppSpec, AcceptsImageReferences) {
  for (const char* image :
       {"busybox", "busybox:1.36", "library/busybox", "docker.io/library/busybox:latest", "localhost/web",
        "localhost:5000/web:v1", "127.0.0.1:5000/team/web:1.4.2", "registry.example.com/a/b/c:tag_1.0-rc",
        "web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "127.0.0.1:5000/web:1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "a.b/c__d/e--f/g.h_i", "Registry.Example.com/web", "[::1]:5000/web:1", "my-registry:443/x/y:Z_9",
        "ab-c/def"}) {
    AppSpec s = example();
    s.image = image;
    auto r = validate_app_spec(s);
    EXPECT_TRUE(r) << image << ": " << r.error().message;
  }
}

TEST(ValidateAppSpec, RejectsBadImageReferences) {
  struct Case {
    const char* image;
    const char* why;
  } cases[] = {
      {"Team/Web", "lower-case (\"team/web\")"},
      {"web:", "tag"},
      {"web:.bad", "tag"},
      {"web:-bad", "tag"},
      {"web:a/b", "registry"},
      {"web@sha256:abc", "digest"},
      {"web@md5:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "digest"},
      {"web@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "digest"},
      {"@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "repository name"},
      {"team//web", "empty part"},
      {"team/web/", "empty part"},
      {"/web", "empty part"},
      {"127.0.0.1:99999/web", "registry"},
      {"127.0.0.1:/web", "registry"},
      {"-bad.com/web", "registry"},
      {"web app", "spaces"},
      {"web\tx", "spaces"},
      {"we..b", "lower-case letters and digits"},
      {"web_", "lower-case letters and digits"},
      {"web___x", "lower-case letters and digits"},
      {"_web", "lower-case letters and digits"},
      {":tag", "repository name"},
  };
  for (const auto& c : cases) {
    AppSpec s = example();
    s.image = c.image;
    auto r = validate_app_spec(s);
    ASSERT_FALSE(r) << c.image;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(r.error().field, "image") << c.image;
    EXPECT_THAT(r.error().message, HasSubstr(c.why)) << c.image;
    EXPECT_THAT(r.error().message, HasSubstr("is not a valid image reference")) << c.image;
  }
}

TEST(ValidateAppSpec, ConfigPathMustBeAnAbsoluteDirectoryThatHidesNothingVital) {
  AppSpec spec;
  spec.name = "web";
  EXPECT_EQ(spec.config_path, "/etc/wharf/config");
  for (const char* ok : {"/etc/wharf/config", "/srv/conf", "/app/config.d", "/opt/my app/cfg"}) {
    spec.config_path = ok;
    EXPECT_TRUE(validate_app_spec(spec)) << ok;
  }
  for (const char* bad : {"", "etc/conf", "/", "/etc", "/proc", "/usr", "/srv/", "/srv//conf", "/srv/../etc",
                          "/srv/./conf", "/a:b", "/a,b", "/a\nb"}) {
    spec.config_path = bad;
    auto s = validate_app_spec(spec);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().field, "configPath");
    EXPECT_NE(s.error().message.find("/etc/wharf/config"), std::string::npos) << s.error().message;
  }
  spec.config_path = "/" + std::string(300, 'a');
  EXPECT_FALSE(validate_app_spec(spec));
}

TEST(ValidateAppSpec, ImageLengthLimits) {
  AppSpec s = example();
  s.image = "reg.io/" + std::string(248, 'a');  // 255 characters
  EXPECT_TRUE(validate_app_spec(s));
  s.image += "a";
  EXPECT_FALSE(validate_app_spec(s));
  s.image = "web:" + std::string(128, 't');
  EXPECT_TRUE(validate_app_spec(s));
  s.image = "web:" + std::string(129, 't');
  EXPECT_FALSE(validate_app_spec(s));
}

struct Invalid {
  const char* label;
  std::function<void(AppSpec&)> mutate;
  const char* field;
  const char* message_part;
};

class ValidateAppSpecInvalid : public ::testing::TestWithParam<Invalid> {};

TEST_P(ValidateAppSpecInvalid, ReportsFieldAndFix) {
  AppSpec s = example();
  GetParam().mutate(s);
  auto r = validate_app_spec(s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(r.error().field, GetParam().field);
  EXPECT_THAT(r.error().message, HasSubstr(GetParam().message_part));
}

Probe http_probe(std::string port_name) {
  Probe p;
  p.kind = Probe::Kind::kHttp;
  p.path = "/";
  p.port.name = std::move(port_name);
  return p;
}

const Invalid kInvalid[] = {
    {"empty_name", [](AppSpec& s) { s.name = ""; }, "name", "must not be empty"},
    {"bad_name", [](AppSpec& s) { s.name = "Web_App"; }, "name", "not a valid name"},
    {"long_name", [](AppSpec& s) { s.name = std::string(41, 'a'); }, "name", "at most 40"},
    {"empty_command", [](AppSpec& s) { s.command = {""}; }, "command[0]", "is empty"},
    {"nul_in_command",
     [](AppSpec& s) {
       s.command = {"/bin/x", std::string("a\0b", 3)};
     },
     "command[1]", "NUL"},
    {"nul_in_args",
     [](AppSpec& s) {
       s.args = {"ok", "", std::string("\0", 1)};
     },
     "args[2]", "NUL"},
    {"port_zero", [](AppSpec& s) { s.ports[0].port = 0; }, "ports[0].port", "between 1 and 65535; got 0"},
    {"port_high",
     [](AppSpec& s) {
       s.ports.push_back({"admin", 70000, "TCP"});
     },
     "ports[1].port", "between 1 and 65535; got 70000"},
    {"port_protocol", [](AppSpec& s) { s.ports[0].protocol = "tcp"; }, "ports[0].protocol",
     "TCP, UDP or SCTP"},
    {"port_protocol_http", [](AppSpec& s) { s.ports[0].protocol = "HTTP"; }, "ports[0].protocol",
     "not supported"},
    {"port_name_bad", [](AppSpec& s) { s.ports[0].name = "HTTP"; }, "ports[0].name", "lower-case"},
    {"port_name_long", [](AppSpec& s) { s.ports[0].name = "a-very-long-port-name"; }, "ports[0].name",
     "at most 15"},
    {"port_name_dup",
     [](AppSpec& s) {
       s.ports.push_back({"http", 9090, "TCP"});
     },
     "ports[1].name", "already used by ports[0]"},
    {"port_number_dup",
     [](AppSpec& s) {
       s.ports.push_back({"other", 8080, "TCP"});
     },
     "ports[1].port", "8080/TCP is already declared by ports[0]"},
    {"port_name_missing_with_two",
     [](AppSpec& s) {
       s.ports.push_back({"", 9090, "TCP"});
     },
     "ports[1].name", "more than one port"},
    {"env_key_digit", [](AppSpec& s) { s.env["1BAD"] = "x"; }, "env.1BAD", "not valid"},
    {"env_key_space", [](AppSpec& s) { s.env["MY VAR"] = "x"; }, "env.MY VAR", "not valid"},
    {"env_key_equals", [](AppSpec& s) { s.env["A=B"] = "x"; }, "env.A=B", "not valid"},
    {"env_key_dot", [](AppSpec& s) { s.env["."] = "x"; }, "env..", "must not be '.'"},
    {"env_key_dotdot", [](AppSpec& s) { s.env["..x"] = "x"; }, "env...x", "start with '..'"},
    {"env_key_empty", [](AppSpec& s) { s.env[""] = "x"; }, "env", "empty name"},
    {"env_value_nul", [](AppSpec& s) { s.env["A"] = std::string("x\0y", 3); }, "env.A", "NUL"},
    {"cpu_garbage", [](AppSpec& s) { s.resources.cpu = "fast"; }, "resources.cpu", "not a valid quantity"},
    {"cpu_zero", [](AppSpec& s) { s.resources.cpu = "0"; }, "resources.cpu", "greater than zero"},
    {"memory_mb", [](AppSpec& s) { s.resources.memory = "512MB"; }, "resources.memory",
     "memory \"512MB\" is not a valid quantity: use a number with a suffix such as 512Mi or 1Gi"},
    {"memory_zero", [](AppSpec& s) { s.resources.memory = "0Mi"; }, "resources.memory", "greater than zero"},
    {"memory_negative", [](AppSpec& s) { s.resources.memory = "-1Gi"; }, "resources.memory", "negative"},
    {"replicas_high", [](AppSpec& s) { s.replicas = 5000; }, "replicas",
     "replicas must be between 0 and 1000; got 5000"},
    {"replicas_negative", [](AppSpec& s) { s.replicas = -1; }, "replicas", "got -1"},
    {"probe_port_unknown_name", [](AppSpec& s) { s.health_check.readiness->port.name = "grpc"; },
     "healthCheck.readiness.http.port", "use one of \"http\""},
    {"probe_port_missing", [](AppSpec& s) { s.health_check.readiness->port = {}; },
     "healthCheck.readiness.http.port", "is required"},
    {"probe_port_number_high",
     [](AppSpec& s) {
       s.health_check.liveness->port = {"", 65536};
     },
     "healthCheck.liveness.tcp.port", "between 1 and 65535"},
    {"probe_port_name_no_ports",
     [](AppSpec& s) {
       s.ports.clear();
       s.health_check.liveness.reset();
     },
     "healthCheck.readiness.http.port", "declare it under ports"},
    {"probe_path_relative", [](AppSpec& s) { s.health_check.readiness->path = "healthz"; },
     "healthCheck.readiness.http.path", "start with '/'"},
    {"probe_path_empty", [](AppSpec& s) { s.health_check.readiness->path = ""; },
     "healthCheck.readiness.http.path", "start with '/'"},
    {"probe_path_space", [](AppSpec& s) { s.health_check.readiness->path = "/a b"; },
     "healthCheck.readiness.http.path", "spaces"},
    {"probe_exec_empty", [](AppSpec& s) { s.health_check.liveness->kind = Probe::Kind::kExec; },
     "healthCheck.liveness.exec.command", "is empty"},
    {"probe_exec_blank_program",
     [](AppSpec& s) {
       s.health_check.liveness->kind = Probe::Kind::kExec;
       s.health_check.liveness->command = {""};
     },
     "healthCheck.liveness.exec.command[0]", "is empty"},
    {"probe_initial_delay", [](AppSpec& s) { s.health_check.readiness->initial_delay_seconds = -1; },
     "healthCheck.readiness.initialDelaySeconds", "at least 0; got -1"},
    {"probe_period", [](AppSpec& s) { s.health_check.readiness->period_seconds = 0; },
     "healthCheck.readiness.periodSeconds", "at least 1; got 0"},
    {"probe_timeout", [](AppSpec& s) { s.health_check.liveness->timeout_seconds = 0; },
     "healthCheck.liveness.timeoutSeconds", "at least 1"},
    {"probe_success", [](AppSpec& s) { s.health_check.readiness->success_threshold = 0; },
     "healthCheck.readiness.successThreshold", "at least 1"},
    {"probe_failure", [](AppSpec& s) { s.health_check.readiness->failure_threshold = 0; },
     "healthCheck.readiness.failureThreshold", "at least 1"},
    {"liveness_success_not_one", [](AppSpec& s) { s.health_check.liveness->success_threshold = 2; },
     "healthCheck.liveness.successThreshold", "must be 1 for a liveness check"},
    {"surge_negative",
     [](AppSpec& s) {
       s.strategy.max_surge = {-1, false};
     },
     "strategy.maxSurge", "must not be negative"},
    {"unavailable_negative_percent",
     [](AppSpec& s) {
       s.strategy.max_unavailable = {-5, true};
     },
     "strategy.maxUnavailable", "-5%"},
    {"surge_over_100_percent",
     [](AppSpec& s) {
       s.strategy.max_surge = {101, true};
     },
     "strategy.maxSurge", "between 0% and 100%; got 101%"},
    {"unavailable_over_100_percent",
     [](AppSpec& s) {
       s.strategy.max_unavailable = {150, true};
     },
     "strategy.maxUnavailable", "100%"},
    {"both_zero",
     [](AppSpec& s) {
       s.strategy.max_surge = {0, false};
     },
     "strategy.maxUnavailable", "must not both be 0"},
    {"both_zero_percent",
     [](AppSpec& s) {
       s.strategy.max_surge = {0, true};
       s.strategy.max_unavailable = {0, true};
     },
     "strategy.maxUnavailable", "must not both be 0"},
    {"deadline_zero", [](AppSpec& s) { s.strategy.progress_deadline_seconds = 0; },
     "strategy.progressDeadlineSeconds", "between 1 and 86400"},
    {"deadline_long", [](AppSpec& s) { s.strategy.progress_deadline_seconds = 86401; },
     "strategy.progressDeadlineSeconds", "got 86401"},
};

INSTANTIATE_TEST_SUITE_P(AllFields, ValidateAppSpecInvalid, ::testing::ValuesIn(kInvalid),
                         [](const ::testing::TestParamInfo<Invalid>& info) {
                           return std::string(info.param.label);
                         });

TEST(ValidateAppSpec, AcceptsBoundaryValues) {
  AppSpec s = example();
  s.replicas = 0;
  EXPECT_TRUE(validate_app_spec(s));
  s.replicas = kMaxReplicas;
  EXPECT_TRUE(validate_app_spec(s));
  s.ports = {{"a", 1, "UDP"}, {"b", 65535, "SCTP"}, {"http", 53, "TCP"}, {"dns-udp", 53, "UDP"}};
  EXPECT_TRUE(validate_app_spec(s)) << "the same number once per protocol is allowed, as in Kubernetes";
  s.strategy = {{100, true}, {100, true}, 86400};
  EXPECT_TRUE(validate_app_spec(s));
  s.strategy = {{0, false}, {1, false}, 1};
  EXPECT_TRUE(validate_app_spec(s));
  s.strategy = {{0, true}, {25, true}, 600};
  EXPECT_TRUE(validate_app_spec(s));
  s.health_check.readiness->port = {"", 65535};
  s.health_check.readiness->initial_delay_seconds = 0;
  EXPECT_TRUE(validate_app_spec(s));
  s.env = {{"my.env-name", ""}, {"_X", "="}, {"-a", "\n"}, {".hidden", "x"}};
  EXPECT_TRUE(validate_app_spec(s));
  s.resources = {};
  EXPECT_TRUE(validate_app_spec(s)) << "no resources is BestEffort: a policy matter, not a spec error";
  s.ports = {{"", 8080, "TCP"}};
  s.health_check = {};
  EXPECT_TRUE(validate_app_spec(s)) << "a single port may be unnamed";
  s.health_check.readiness = http_probe("");
  s.health_check.readiness->port.number = 8080;
  s.health_check.readiness->success_threshold = 3;  // fine for readiness
  EXPECT_TRUE(validate_app_spec(s));
  s.health_check.liveness = Probe{Probe::Kind::kExec, "/", {}, {"/bin/check", "--quick"}};
  EXPECT_TRUE(validate_app_spec(s));
}

TEST(ValidateAppSpec, FirstProblemWinsInFieldOrder) {
  AppSpec s = example();
  s.replicas = -1;
  s.image = "BAD";
  auto r = validate_app_spec(s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "image");
}

TEST(LimitsOf, ParsesResources) {
  auto l = limits_of(example());
  EXPECT_EQ(l.cpu_millis, 500);
  EXPECT_EQ(l.memory_bytes, 512LL << 20);
  AppSpec s = example();
  s.resources = {};
  l = limits_of(s);
  EXPECT_FALSE(l.cpu_millis);
  EXPECT_FALSE(l.memory_bytes);
  s.resources.memory = "1Gi";
  l = limits_of(s);
  EXPECT_FALSE(l.cpu_millis);
  EXPECT_EQ(l.memory_bytes, 1LL << 30);
}

TEST(LimitsOfDeathTest, AbortsOnUnvalidatedSpecs) {
  AppSpec s = example();
  s.resources.cpu = "lots";
  EXPECT_DEATH(limits_of(s), "broken invariant");
}

TEST(RolloutBudget, AbsoluteValuesPassThrough) {
  auto b = rollout_budget({{2, false}, {1, false}, 600}, 10);
  EXPECT_EQ(b.max_surge, 2);
  EXPECT_EQ(b.max_unavailable, 1);
}

TEST(RolloutBudget, PercentSurgeRoundsUpUnavailableRoundsDown) {
  auto b = rollout_budget({{25, true}, {25, true}, 600}, 10);
  EXPECT_EQ(b.max_surge, 3);        // 2.5 -> 3
  EXPECT_EQ(b.max_unavailable, 2);  // 2.5 -> 2
  b = rollout_budget({{10, true}, {10, true}, 600}, 1);
  EXPECT_EQ(b.max_surge, 1);  // 0.1 -> 1
  EXPECT_EQ(b.max_unavailable, 0);
  b = rollout_budget({{100, true}, {100, true}, 600}, 7);
  EXPECT_EQ(b.max_surge, 7);
  EXPECT_EQ(b.max_unavailable, 7);
}

TEST(RolloutBudget, BothZeroAfterRoundingLetsOneGoDown) {
  auto b = rollout_budget({{0, false}, {25, true}, 600}, 3);  // 0.75 rounds down to 0
  EXPECT_EQ(b.max_surge, 0);
  EXPECT_EQ(b.max_unavailable, 1);
  b = rollout_budget({{25, true}, {25, true}, 600}, 0);
  EXPECT_EQ(b.max_surge, 0);
  EXPECT_EQ(b.max_unavailable, 1);
}

TEST(RolloutBudget, LargeReplicaCountsDoNotOverflow) {
  auto b = rollout_budget({{100, true}, {50, true}, 600}, 1000000000);
  EXPECT_EQ(b.max_surge, 1000000000);
  EXPECT_EQ(b.max_unavailable, 500000000);
}

}  // namespace
}  // namespace wharf
