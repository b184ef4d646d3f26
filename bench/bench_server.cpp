#include "bench_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

namespace bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

void parse_flags(int argc, char** argv, const char* program, const Flags& flags) {
  for (int i = 1; i < argc; i += 2) {
    auto it = flags.find(argv[i]);
    if (it == flags.end() || i + 1 >= argc) {
      std::fprintf(stderr, "%s: unknown option or missing value: %s\n", program, argv[i]);
      std::exit(2);
    }
    it->second(argv[i + 1]);
  }
}

Server start_server(const std::string& wharf, int server_threads) {
  Server s;
  s.dir = std::filesystem::temp_directory_path() / ("wharf-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(s.dir);
  std::filesystem::create_directories(s.dir);
  int out[2];
  if (pipe(out) != 0) std::abort();
  s.pid = fork();
  if (s.pid == 0) {
    dup2(out[1], 1);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    std::string data = s.dir.string(), threads = std::to_string(server_threads);
    execl(wharf.c_str(), wharf.c_str(), "server", "--data-dir", data.c_str(), "--listen", "127.0.0.1:0",
          "--log-level", "warn", "--threads", threads.c_str(), nullptr);
    _exit(127);
  }
  close(out[1]);
  FILE* f = fdopen(out[0], "r");
  char line[512];
  while (fgets(line, sizeof line, f)) {
    if (auto* p = std::strstr(line, "http://127.0.0.1:")) {
      s.port = static_cast<uint16_t>(std::atoi(p + 17));
      break;
    }
  }
  if (s.port == 0) {
    std::fprintf(stderr, "bench: the server did not start\n");
    std::exit(1);
  }
  std::ifstream tf(s.dir / "admin-token");
  std::getline(tf, s.token);
  return s;
}

void stop_server(Server& s) {
  kill(s.pid, SIGTERM);
  int status = 0;
  waitpid(s.pid, &status, 0);
  std::filesystem::remove_all(s.dir);
}

long rss_kib(pid_t pid, const char* field) {
  std::ifstream st("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(st, line))
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::strlen(field) + 1);
  return -1;
}

Reply request(const Server& s, const std::string& method, const std::string& target, const std::string& body,
              const std::map<std::string, std::string>& headers) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), s.port));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, "Bearer " + s.token);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  return {static_cast<int>(res.result_int()), res.body()};
}

double Load::ms(double p) const {
  if (latencies_us.empty()) return 0;
  const size_t i =
      std::min(latencies_us.size() - 1, static_cast<size_t>(p * static_cast<double>(latencies_us.size())));
  return latencies_us[i] / 1000.0;
}

namespace {

using Clock = std::chrono::steady_clock;

struct ClientResult {
  std::vector<uint32_t> latencies_us;
  uint64_t errors = 0;
};

net::awaitable<void> client(const Server& s, Clock::time_point until, const MakeRequest& request, int expect,
                            ClientResult& out) {
  auto ex = co_await net::this_coro::executor;
  beast::tcp_stream stream(ex);
  co_await stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), s.port),
                                net::use_awaitable);
  stream.socket().set_option(tcp::no_delay(true));
  beast::flat_buffer buf;
  while (Clock::now() < until) {
    auto req = request();
    req.keep_alive(true);
    req.prepare_payload();
    auto t0 = Clock::now();
    co_await http::async_write(stream, req, net::use_awaitable);
    http::response<http::string_body> res;
    co_await http::async_read(stream, buf, res, net::use_awaitable);
    out.latencies_us.push_back(static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count()));
    if (static_cast<int>(res.result_int()) != expect) ++out.errors;
  }
}

}  // namespace

Load run_load(const Server& s, int clients, double seconds, int threads, const MakeRequest& request,
              int expect) {
  std::vector<ClientResult> results(clients);
  const auto until =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  net::io_context ioc;
  for (int i = 0; i < clients; ++i)
    net::co_spawn(ioc, client(s, until, request, expect, results[i]), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
  const auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  Load load;
  load.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  for (auto& r : results) {
    load.latencies_us.insert(load.latencies_us.end(), r.latencies_us.begin(), r.latencies_us.end());
    load.errors += r.errors;
  }
  std::sort(load.latencies_us.begin(), load.latencies_us.end());
  return load;
}

}  // namespace bench
