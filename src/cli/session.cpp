#include "cli/session.h"

#include "cli/time_format.h"

namespace wharf::cli {

Outcome<CliConfig*> Session::config() {
  if (!config_) {
    auto loaded = load_config(config_path());
    if (!loaded) return usage_error(loaded.error());
    config_ = std::move(*loaded);
  }
  return &*config_;
}

Outcome<void> Session::save_config() {
  auto config = this->config();
  if (!config) return tl::unexpected(config.error());
  if (auto s = wharf::cli::save_config(config_path(), **config); !s) return usage_error(s.error());
  return {};
}

const Context* Session::context_for(const CliConfig& config) const {
  const Context* current = config.current();
  if (options_.server.empty()) return current;
  // A token is only ever sent to the server it was issued for, never to an arbitrary --server.
  auto same_server = [&](const Context* c) {
    auto a = parse_server_url(c->server), b = parse_server_url(options_.server);
    return a && b && a->host == b->host && a->port == b->port && a->base_path == b->base_path;
  };
  if (current && same_server(current)) return current;
  for (const auto& c : config.contexts)
    if (same_server(&c)) return &c;
  return nullptr;
}

Outcome<const JsonApi*> Session::api() {
  if (api_) return api_.get();
  auto config = this->config();
  if (!config) return tl::unexpected(config.error());
  const Context* context = context_for(**config);
  std::string server = !options_.server.empty() ? options_.server : context ? context->server : "";
  if (server.empty())
    return usage_error("no server to talk to: run `wharf login --server URL` first, or pass --server");
  auto url = parse_server_url(server);
  if (!url) return usage_error(url.error());
  auto timeout = request_timeout();
  if (!timeout) return tl::unexpected(timeout.error());
  std::string token = !options_.token.empty() ? options_.token : context ? context->token : "";
  api_ = std::make_unique<JsonApi>(ApiClient(std::move(*url), std::move(token), *timeout));
  return api_.get();
}

Outcome<std::string> Session::project(const std::string& flag) {
  if (!flag.empty()) return flag;
  auto config = this->config();
  if (!config) return tl::unexpected(config.error());
  const Context* context = context_for(**config);
  if (context && !context->project.empty()) return context->project;
  return usage_error(
      "no project given: pass -p PROJECT, or set a default with `wharf context set-project PROJECT`");
}

Outcome<std::chrono::milliseconds> Session::request_timeout() const {
  auto d = parse_duration(options_.request_timeout);
  if (!d || d->count() == 0)
    return usage_error("--request-timeout \"" + options_.request_timeout +
                       "\" must be a duration such as 30s or 2m");
  return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

Outcome<ProjectScope> Session::in_project(const std::string& flag) {
  auto project = this->project(flag);
  if (!project) return tl::unexpected(project.error());
  auto api = this->api();
  if (!api) return tl::unexpected(api.error());
  return ProjectScope{*api, std::move(*project)};
}

}  // namespace wharf::cli
