#include "server/server.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "api/console_assets.h"
#include "api/dispatcher.h"
#include "api/http_server.h"
#include "api/metrics.h"
#include "api/routes.h"
#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "auth/directory.h"
#include "auth/ldap_config.h"
#include "auth/ldap_directory.h"
#include "auth/login_limiter.h"
#include "auth/login_service.h"
#include "auth/password.h"
#include "auth/session_manager.h"
#include "auth/token_authenticator.h"
#include "controller/config_version_cache.h"
#include "controller/release_controller.h"
#include "events/event_bus.h"
#include "events/live_config_hub.h"
#include "image/image_store.h"
#include "runtime/cluster_runtimes.h"
#include "runtime/kubernetes/kube_cluster_registry.h"
#include "runtime/kubernetes/kubernetes_runtime.h"
#include "runtime/local/local_runtime.h"
#include "store/sqlite/sqlite_store.h"
#include "util/secret_box.h"

namespace wharf {
namespace {

bool split_listen(const std::string& listen, std::string& host, uint16_t& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    size_t used = 0;
    int p = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || p < 0 || p > 65535) return false;
    port = static_cast<uint16_t>(p);
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

void setup_logging(const std::string& level) {
  // Asynchronous so that the access log never stalls a request on a slow terminal or pipe; when the
  // queue is full the oldest lines are dropped rather than blocking the server.
  spdlog::init_thread_pool(8192, 1);
  auto logger = std::make_shared<spdlog::async_logger>(
      "wharf", std::make_shared<spdlog::sinks::stderr_sink_mt>(), spdlog::thread_pool(),
      spdlog::async_overflow_policy::overrun_oldest);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace

int run_server(const ServerOptions& options) {
  auto started = std::chrono::steady_clock::now();
  // Signals are taken by one thread with sigwait; every other thread inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  setup_logging(options.log_level);
  std::string host;
  uint16_t port = 0;
  if (!split_listen(options.listen, host, port)) {
    std::fprintf(stderr, "wharf server: --listen \"%s\" must be HOST:PORT, for example 127.0.0.1:7070\n",
                 options.listen.c_str());
    return 2;
  }
  // The LDAP settings are checked before anything starts: a mistake there is a bad command line.
  std::optional<LdapOptions> ldap_options;
  if (!options.ldap_config.empty()) {
    auto loaded = load_ldap_config(options.ldap_config);
    if (!loaded) {
      std::fprintf(stderr, "wharf server: --ldap-config: %s\n", loaded.error().message.c_str());
      return 2;
    }
    ldap_options = std::move(*loaded);
  }

  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    std::fprintf(stderr, "wharf server: cannot create data dir %s: %s\n", options.data_dir.c_str(),
                 ec.message().c_str());
    return 1;
  }
  ::chmod(options.data_dir.c_str(), 0700);
  // One server per data dir: the store keeps its version in memory and the controllers assume they are
  // alone. The lock is released by the kernel when the process dies, even by kill -9.
  auto lock_path = std::filesystem::path(options.data_dir) / "lock";
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    std::fprintf(stderr,
                 "wharf server: another wharf server is using %s; stop it or choose another --data-dir\n",
                 options.data_dir.c_str());
    return 1;
  }

  auto store = SqliteStore::open((std::filesystem::path(options.data_dir) / "wharf.db").string());
  if (!store) {
    std::fprintf(stderr, "wharf server: %s\n", store.error().message.c_str());
    return 1;
  }
  TokenAuthenticator auth(**store, store->get());
  if (auto s = auth.bootstrap(options.data_dir); !s) {
    std::fprintf(stderr, "wharf server: cannot set up the admin account: %s\n", s.error().message.c_str());
    return 1;
  }
  // Logins: local passwords (argon2id, at most two hashes at a time: 2 x 19 MiB of the 64 MiB budget),
  // console sessions, and the company's LDAP directory when one is configured.
  // The company's LDAP directory when --ldap-config names one; without it only local users log in.
  std::unique_ptr<LdapDirectory> ldap;
  std::jthread ldap_check;  // joined before `ldap` goes
  if (ldap_options) {
    ldap = std::make_unique<LdapDirectory>(std::move(*ldap_options));
    // A first connection, off the start-up path: an unresponsive directory must not delay the server.
    ldap_check = std::jthread([&ldap] {
      if (auto s = ldap->check(); !s)
        spdlog::warn("ldap: first connection failed, LDAP users cannot log in until it works: {}",
                     s.error().message);
      else
        spdlog::info("ldap: connected to {}", ldap->options().url);
    });
  }
  Directory* directory = ldap.get();
  PasswordHasher hasher;
  LoginLimiter login_limiter;
  DirectoryGroups directory_groups(directory, ldap ? ldap->options().group_cache : std::chrono::seconds(60));
  SessionManager sessions(**store);
  LoginService logins(**store, **store, hasher, login_limiter, directory_groups);
  Authenticator authenticator(auth, sessions, **store, directory_groups);
  auto admin_password = logins.bootstrap_admin_password(options.data_dir, TokenAuthenticator::kAdminUser);
  if (!admin_password) {
    std::fprintf(stderr, "wharf server: cannot set the initial admin password: %s\n",
                 admin_password.error().message.c_str());
    return 1;
  }
  if (!admin_password->empty()) {
    // Where it is, never what it is.
    std::printf(
        "wharf server: the initial password of \"%s\" is in %s; it must be changed at the first login\n",
        TokenAuthenticator::kAdminUser, admin_password->c_str());
    std::fflush(stdout);
    spdlog::info("initial password of \"{}\" written to {}", TokenAuthenticator::kAdminUser,
                 admin_password->string());
  }

  EventBus bus;
  ClusterRuntimes runtimes;
  // Credentials of registered clusters (and secret config items) are sealed with DATA_DIR/secret.key.
  auto secrets = SecretBox::open((std::filesystem::path(options.data_dir) / "secret.key").string());
  if (!secrets) {
    std::fprintf(stderr, "wharf server: %s\n", secrets.error().message.c_str());
    return 1;
  }
  ReleaseController controller(**store, runtimes, bus, &*secrets);
  // What config clients (long polls, Apollo clients) should have, and the versions they read.
  LiveConfigHub live_config(**store, bus);
  ConfigVersionCache config_versions(**store, &*secrets);
  kube::KubernetesRuntime kubernetes;
  kubernetes.set_change_listener([&controller] { controller.observe_soon(); });
  kube::KubernetesClusters kubernetes_clusters(**store, *secrets, runtimes, kubernetes);
  kubernetes_clusters.serve_stored();
  // The built-in "local" cluster: images in DATA_DIR/images, containers under DATA_DIR/runtime.
  const std::filesystem::path data_dir(options.data_dir);
  auto images =
      ImageStore::open({(data_dir / "images").string(), (data_dir / "registries.json").string(), 3});
  if (!images) {
    std::fprintf(stderr, "wharf server: %s\n", images.error().message.c_str());
    return 1;
  }
  local::LocalRuntime local_runtime(local::LocalRuntimeOptions::for_data_dir(options.data_dir), **images);
  local_runtime.set_change_listener([&controller] { controller.observe_soon(); });
  runtimes.set("local", &local_runtime);

  std::atomic<bool> ready{false};
  api::Router router;
  api::ApiContext ctx{
      **store, bus, auth, [&controller] { controller.wake(); }, [&ready] { return ready.load(); }, nullptr};
  api::add_all_routes(router, ctx);
  api::RequestMetrics metrics(router);
  ctx.metrics = &metrics;
  ctx.runtimes = &runtimes;
  ctx.images = images->get();
  ctx.kubernetes = &kubernetes_clusters;
  ctx.login = &logins;
  ctx.sessions = &sessions;
  ctx.secrets = &*secrets;
  ctx.live_config = &live_config;
  ctx.config_versions = &config_versions;
  Authorizer authorizer(**store);
  api::Dispatcher dispatcher(router, authenticator, authorizer, metrics, **store);
  // The web console at `/`: whatever no API route answers.
  const api::ConsoleAssets console(
      options.console_dir.empty() ? api::default_console_dir() : std::filesystem::path(options.console_dir),
      api::api_roots(router));
  dispatcher.set_fallback([&console](const api::HttpRequest& request) { return console.serve(request); });
  spdlog::info("web console from {}{}", console.dir().string(),
               std::filesystem::exists(console.dir() / "index.html") ? "" : " (not built: make console)");
  api::HttpServerOptions http_options;
  http_options.address = host;
  http_options.port = port;
  http_options.threads = options.threads;
  api::HttpServer server(dispatcher, http_options);
  auto bound = server.listen();
  if (!bound) {
    std::fprintf(stderr, "wharf server: %s\n", bound.error().message.c_str());
    return 1;
  }

  controller.start(std::chrono::milliseconds(1000), std::chrono::milliseconds(30000));
  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("received {}, draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    ready = false;
    bus.close_all();  // ends watch streams so their connections can finish
    server.shutdown(std::chrono::seconds(10));
  });

  ready = true;
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  std::printf("wharf server listening on http://%s:%u (ready in %.1f ms; data in %s)\n", host.c_str(), *bound,
              ms, options.data_dir.c_str());
  std::fflush(stdout);
  spdlog::info("listening on {}:{}, ready in {:.1f} ms", host, *bound, ms);

  server.run();

  controller.stop();
  if (signal_thread.joinable()) {
    // run() also returns if the io_context is stopped by other means; make sure the waiter ends.
    pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
  }
  spdlog::info("stopped");
  spdlog::shutdown();
  return 0;
}

}  // namespace wharf
