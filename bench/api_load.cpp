// api_load: request throughput and latency of a real `wharf server`.
//
// Starts the server on 127.0.0.1 with a fresh data dir, seeds a project with N apps, then for each
// scenario runs C concurrent keep-alive clients for D seconds and prints req/s, latency percentiles and
// the server's resident memory. Scenarios: GET of the app list (N apps in one page), POST of deploys
// (each creates a release). Usage: api_load --wharf build/wharf [--apps 100] [--clients 32]
// [--seconds 5] [--threads 1] [--server-threads 0]
#include <algorithm>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_server.h"

namespace http = boost::beast::http;
using bench::rss_kib;
using bench::Server;

struct Options {
  std::string wharf = "build/wharf";
  int apps = 100;
  int clients = 32;
  double seconds = 5;
  int threads = 1;
  int server_threads = 0;
};

struct Scenario {
  std::string name;
  http::verb verb;
  std::string target;
  std::string body;
  int expect;
};

void run(const Options& o, const Server& s, const Scenario& sc) {
  auto load = bench::run_load(
      s, o.clients, o.seconds, o.threads,
      [&] {
        http::request<http::string_body> req{sc.verb, sc.target, 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::authorization, "Bearer " + s.token);
        if (!sc.body.empty()) req.set(http::field::content_type, "application/json");
        req.body() = sc.body;
        return req;
      },
      sc.expect);
  std::printf(
      "%-22s %8.0f req/s  p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %7.2f ms  errors %lu  server RSS %ld "
      "KiB (peak %ld)\n",
      sc.name.c_str(), load.per_second(), load.ms(0.50), load.ms(0.90), load.ms(0.99), load.ms(1.0),
      static_cast<unsigned long>(load.errors), rss_kib(s.pid, "VmRSS:"), rss_kib(s.pid, "VmHWM:"));
  std::fflush(stdout);
}

int main(int argc, char** argv) {
  Options o;
  bench::parse_flags(argc, argv, "api_load",
                     {{"--wharf", [&](const std::string& v) { o.wharf = v; }},
                      {"--apps", [&](const std::string& v) { o.apps = std::stoi(v); }},
                      {"--clients", [&](const std::string& v) { o.clients = std::stoi(v); }},
                      {"--seconds", [&](const std::string& v) { o.seconds = std::stod(v); }},
                      {"--threads", [&](const std::string& v) { o.threads = std::stoi(v); }},
                      {"--server-threads", [&](const std::string& v) { o.server_threads = std::stoi(v); }}});
  auto s = bench::start_server(o.wharf, o.server_threads);
  bench::request(s, "POST", "/api/v1/projects", R"({"name":"bench"})");
  bench::request(s, "POST", "/api/v1/projects/bench/environments", R"({"name":"prod","clusters":["local"]})");
  for (int i = 0; i < o.apps; ++i) {
    nlohmann::json app = {
        {"name", "app-" + std::to_string(i)},
        {"image", "127.0.0.1:5000/bench/app:1." + std::to_string(i)},
        {"ports", {{{"name", "http"}, {"port", 8080}}}},
        {"env", {{"MODE", "bench"}}},
        {"resources", {{"cpu", "500m"}, {"memory", "256Mi"}}},
        {"replicas", 2},
        {"healthCheck", {{"readiness", {{"http", {{"path", "/healthz"}, {"port", "http"}}}}}}}};
    if (bench::request(s, "POST", "/api/v1/projects/bench/apps", app.dump()).status != 201) {
      std::fprintf(stderr, "api_load: seeding app %d failed\n", i);
      return 1;
    }
  }
  std::printf(
      "api_load: %d apps, %d keep-alive clients (%d client threads), %.0f s per scenario, server pid %d\n",
      o.apps, o.clients, o.threads, o.seconds, s.pid);
  std::vector<Scenario> scenarios = {
      {"GET apps (list)", http::verb::get,
       "/api/v1/projects/bench/apps?limit=" + std::to_string(std::min(o.apps, 1000)), "", 200},
      {"GET app", http::verb::get, "/api/v1/projects/bench/apps/app-1", "", 200},
      {"POST deploy", http::verb::post, "/api/v1/projects/bench/apps/app-0/environments/prod/deploy",
       R"({"message":"bench"})", 202},
  };
  for (const auto& sc : scenarios) run(o, s, sc);
  bench::stop_server(s);
  return 0;
}
