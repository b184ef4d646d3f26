// What the benchmark programs share: a real `wharf server` started on 127.0.0.1 with a fresh data dir
// (stopped and removed by PID), its resident memory, and blocking requests for seeding.
#pragma once

#include <sys/types.h>

#include <boost/beast/http.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace bench {

struct Server {
  pid_t pid = -1;
  uint16_t port = 0;
  std::string token;  // the admin token
  std::filesystem::path dir;
};

// Reads "--flag value" pairs into `flags` (each sets one option); an unknown flag or one without a value
// prints an error naming `program` and exits 2.
using Flags = std::map<std::string, std::function<void(const std::string&)>>;
void parse_flags(int argc, char** argv, const char* program, const Flags& flags);

// Starts `wharf server` with `--threads server_threads` and the log level at warn (an access log line per
// request would measure the terminal, not the server). Exits the program when it does not start.
Server start_server(const std::string& wharf, int server_threads);
// SIGTERM, wait, remove the data dir.
void stop_server(Server& s);

// A field of /proc/PID/status in KiB ("VmRSS:", "VmHWM:"), -1 when unreadable.
long rss_kib(pid_t pid, const char* field);

struct Reply {
  int status = 0;
  std::string body;
};
// One blocking request as the admin; `headers` replace the bearer token when they carry Authorization.
Reply request(const Server& s, const std::string& method, const std::string& target,
              const std::string& body = "", const std::map<std::string, std::string>& headers = {});

// Keep-alive load: `clients` connections on `threads` threads, each sending request() and reading the
// answer until `seconds` have passed. request() is called for every request (signatures carry a time).
struct Load {
  double seconds = 0;
  std::vector<uint32_t> latencies_us;  // sorted
  uint64_t errors = 0;                 // answers whose status was not `expect`
  double per_second() const { return static_cast<double>(latencies_us.size()) / seconds; }
  // The p-th quantile in milliseconds (p in [0, 1]).
  double ms(double p) const;
};
using MakeRequest = std::function<boost::beast::http::request<boost::beast::http::string_body>()>;
Load run_load(const Server& s, int clients, double seconds, int threads, const MakeRequest& request,
              int expect);

}  // namespace bench
