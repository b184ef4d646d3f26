// config_push: how fast a config change reaches many waiting clients, and how many config fetches a
// server answers.
//
// Starts a real `wharf server`, publishes a config for one app and creates an Apollo access key. Then:
// - push: S subscribers hold Apollo long polls (GET /apollo/.../notifications/v2, signed), each on its own
//   connection; once the server reports all S waiting (/metrics), a new version is published with a hot
//   update, and each subscriber records when its answer (the new notificationId) arrived. Per round: p50,
//   p99 and max time from the publish request to each subscriber having the new version. R rounds.
// - fetch: C keep-alive clients GET /apollo/.../configs/{app}/default/application (signed) for D seconds.
// Server memory is printed beside the times.
//
// Usage: config_push --wharf build/wharf [--subscribers 10000] [--rounds 5] [--clients 32] [--seconds 5]
//                    [--threads 1] [--server-threads 0]
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bench_server.h"
#include "util/crypto.h"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string wharf = "build/wharf";
  int subscribers = 10000;
  int rounds = 5;
  int clients = 32;
  double seconds = 5;
  int threads = 1;
  int server_threads = 0;
};

constexpr const char* kMeta = "/apollo/bench/prod";
constexpr const char* kConfig = "/api/v1/projects/bench/apps/web/environments/prod/config";

struct Signer {
  std::string secret;
  // Authorization and Timestamp headers for `target`, as Apollo's clients sign.
  std::pair<std::string, std::string> sign(const std::string& target) const {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    const std::string ts = std::to_string(ms);
    return {"Apollo web:" + wharf::hmac_sha1_base64(secret, ts + "\n" + target), ts};
  }
};

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string notifications_target(int64_t id) {
  const std::string notes =
      R"([{"namespaceName":"application","notificationId":)" + std::to_string(id) + "}]";
  return std::string(kMeta) +
         "/notifications/v2?appId=web&cluster=default&notifications=" + url_encode(notes);
}

http::request<http::empty_body> signed_get(const Signer& signer, const std::string& target) {
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  auto [auth, ts] = signer.sign(target);
  req.set(http::field::authorization, auth);
  req.set("Timestamp", ts);
  req.keep_alive(true);
  return req;
}

long long_polls(const bench::Server& s) {
  auto r = bench::request(s, "GET", "/metrics");
  auto at = r.body.find("\nwharf_config_long_polls ");
  return at == std::string::npos ? -1 : std::atol(r.body.c_str() + at + 25);
}

int64_t publish(const bench::Server& s, int round) {
  nlohmann::json items = {{{"key", "feature.flag"}, {"value", "round-" + std::to_string(round)}},
                          {{"key", "db.pool"}, {"value", "20"}, {"type", "int"}}};
  auto d = bench::request(s, "PUT", std::string(kConfig) + "/draft", nlohmann::json{{"items", items}}.dump());
  auto p =
      bench::request(s, "POST", std::string(kConfig) + "/publish", R"({"apply":"hot","message":"bench"})");
  if (d.status != 200 || p.status != 201) {
    std::fprintf(stderr, "config_push: publishing failed: %d %d %s\n", d.status, p.status, p.body.c_str());
    std::exit(1);
  }
  return nlohmann::json::parse(p.body)["version"].get<int64_t>();
}

// One subscriber: a connection that long-polls with `id` and records when its answer arrives.
struct Subscriber {
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  Clock::time_point answered{};
  int status = 0;
  explicit Subscriber(net::any_io_executor ex) : stream(ex) {}
};

net::awaitable<void> poll(Subscriber& sub, const Signer& signer, int64_t id) {
  auto req = signed_get(signer, notifications_target(id));
  auto [wec, wn] = co_await http::async_write(sub.stream, req, net::as_tuple(net::use_awaitable));
  if (wec) co_return;
  http::response<http::string_body> res;
  auto [rec, rn] = co_await http::async_read(sub.stream, sub.buffer, res, net::as_tuple(net::use_awaitable));
  sub.answered = Clock::now();
  sub.status = rec ? -1 : static_cast<int>(res.result_int());
}

double pct(std::vector<double>& v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double median(std::vector<double> v) {
  return pct(v, 0.5);
}

void push(const Options& o, const bench::Server& s, const Signer& signer, int64_t& version) {
  net::io_context ioc;
  std::vector<std::unique_ptr<Subscriber>> subs;
  const tcp::endpoint server(net::ip::make_address("127.0.0.1"), s.port);
  for (int i = 0; i < o.subscribers; ++i) {
    subs.push_back(std::make_unique<Subscriber>(ioc.get_executor()));
    beast::error_code ec;
    subs.back()->stream.socket().connect(server, ec);
    if (ec) {
      std::fprintf(stderr, "config_push: connection %d: %s\n", i, ec.message().c_str());
      std::exit(1);
    }
  }
  std::vector<double> p50s, p99s, maxes;
  long rss_waiting = 0;
  for (int round = 1; round <= o.rounds; ++round) {
    for (auto& sub : subs) {
      sub->status = 0;
      net::co_spawn(ioc, poll(*sub, signer, version), net::detached);
    }
    std::vector<std::thread> threads;
    ioc.restart();
    for (int t = 0; t < o.threads; ++t) threads.emplace_back([&] { ioc.run(); });
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (long_polls(s) < o.subscribers) {
      if (Clock::now() > deadline) {
        std::fprintf(stderr, "config_push: only %ld of %d long polls wait after 60 s\n", long_polls(s),
                     o.subscribers);
        std::exit(1);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    rss_waiting = bench::rss_kib(s.pid, "VmRSS:");
    const auto t0 = Clock::now();
    version = publish(s, round);
    for (auto& t : threads) t.join();  // every poll answered
    std::vector<double> ms;
    int bad = 0;
    for (auto& sub : subs) {
      if (sub->status != 200) ++bad;
      ms.push_back(std::chrono::duration<double, std::milli>(sub->answered - t0).count());
    }
    const double p50 = pct(ms, 0.50), p99 = pct(ms, 0.99), max = ms.back();
    std::printf(
        "push round %d: %d subscribers, version %ld: p50 %.1f ms  p99 %.1f ms  all %.1f ms  errors %d\n",
        round, o.subscribers, static_cast<long>(version), p50, p99, max, bad);
    std::fflush(stdout);
    p50s.push_back(p50);
    p99s.push_back(p99);
    maxes.push_back(max);
  }
  std::printf(
      "push (median of %d rounds): p50 %.1f ms  p99 %.1f ms  all %.1f ms; server RSS with %d waiting %ld KiB "
      "(peak %ld)\n",
      o.rounds, median(p50s), median(p99s), median(maxes), o.subscribers, rss_waiting,
      bench::rss_kib(s.pid, "VmHWM:"));
}

void fetch(const Options& o, const bench::Server& s, const Signer& signer) {
  const std::string target = std::string(kMeta) + "/configs/web/default/application";
  auto load = bench::run_load(
      s, o.clients, o.seconds, o.threads,
      [&] {
        http::request<http::string_body> req{http::verb::get, target, 11};
        req.set(http::field::host, "127.0.0.1");
        auto [auth, ts] = signer.sign(target);
        req.set(http::field::authorization, auth);
        req.set("Timestamp", ts);
        return req;
      },
      200);
  std::printf(
      "fetch: %d keep-alive clients, %.0f req/s  p50 %.2f ms  p99 %.2f ms  errors %lu  server RSS %ld KiB\n",
      o.clients, load.per_second(), load.ms(0.5), load.ms(0.99), static_cast<unsigned long>(load.errors),
      bench::rss_kib(s.pid, "VmRSS:"));
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  bench::parse_flags(argc, argv, "config_push",
                     {{"--wharf", [&](const std::string& v) { o.wharf = v; }},
                      {"--subscribers", [&](const std::string& v) { o.subscribers = std::stoi(v); }},
                      {"--rounds", [&](const std::string& v) { o.rounds = std::stoi(v); }},
                      {"--clients", [&](const std::string& v) { o.clients = std::stoi(v); }},
                      {"--seconds", [&](const std::string& v) { o.seconds = std::stod(v); }},
                      {"--threads", [&](const std::string& v) { o.threads = std::stoi(v); }},
                      {"--server-threads", [&](const std::string& v) { o.server_threads = std::stoi(v); }}});
  // A socket per subscriber here and in the server (which inherits the limit).
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  nofile.rlim_cur = nofile.rlim_max;
  setrlimit(RLIMIT_NOFILE, &nofile);
  if (nofile.rlim_cur < static_cast<rlim_t>(o.subscribers) + 100) {
    std::fprintf(stderr, "config_push: %d subscribers need more open files than the limit (%lu)\n",
                 o.subscribers, static_cast<unsigned long>(nofile.rlim_cur));
    return 2;
  }

  auto s = bench::start_server(o.wharf, o.server_threads);
  bench::request(s, "POST", "/api/v1/projects", R"({"name":"bench"})");
  bench::request(s, "POST", "/api/v1/projects/bench/environments", R"({"name":"prod","clusters":["local"]})");
  bench::request(s, "POST", "/api/v1/projects/bench/apps",
                 R"({"name":"web","image":"127.0.0.1:9/bench/web:1","replicas":1})");
  int64_t version = publish(s, 0);
  auto key = bench::request(s, "POST", std::string(kConfig) + "/access-keys");
  if (key.status != 201) {
    std::fprintf(stderr, "config_push: creating an access key failed: %s\n", key.body.c_str());
    return 1;
  }
  const Signer signer{nlohmann::json::parse(key.body)["secret"].get<std::string>()};
  std::printf(
      "config_push: %d subscribers, %d rounds; fetch with %d clients for %.0f s; %d client threads; "
      "server pid %d, %u cores\n",
      o.subscribers, o.rounds, o.clients, o.seconds, o.threads, s.pid, std::thread::hardware_concurrency());
  std::fflush(stdout);
  push(o, s, signer, version);
  fetch(o, s, signer);
  bench::stop_server(s);
  return 0;
}
