#include "image/registry_client.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "image/auth_challenge.h"
#include "image/link_header.h"
#include "image/manifest.h"
#include "net/http_client.h"
#include "util/crypto.h"

namespace wharf {
namespace {

using nlohmann::json;

constexpr int kMaxRedirects = 5;
constexpr int kResumeAttempts = 3;

std::string base64_std(std::string_view data) {
  std::string out = base64url_encode(data);
  for (char& c : out) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (out.size() % 4 != 0) out += '=';
  return out;
}

// "MANIFEST_UNKNOWN: manifest unknown" from the registry's {"errors":[{"code","message"}]} body.
std::string registry_error_text(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("errors") || !j["errors"].is_array()) return {};
  std::string out;
  for (const auto& e : j["errors"]) {
    if (!e.is_object()) continue;
    out +=
        (out.empty() ? "" : "; ") + e.value("code", std::string()) + ": " + e.value("message", std::string());
  }
  return out;
}

bool registry_error_has(const std::string& body, std::string_view code) {
  return registry_error_text(body).find(code) != std::string::npos;
}

// Reads a page of names at `key` ("repositories" or "tags"); null counts as empty (registries send
// "tags": null for a repository whose tags were all deleted).
Result<std::vector<std::string>> names_at(const std::string& body, const char* key) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(Error::unavailable(std::string("the registry sent a ") + key + " list that is not JSON"));
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array())
    return fail(Error::unavailable(std::string("the registry's \"") + key + "\" is not a list"));
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace

struct RegistryClient::Impl {
  Impl(const net::HttpClient& h, RegistryConfig c) : http(h), config(std::move(c)) {}

  const net::HttpClient& http;
  RegistryConfig config;
  std::mutex mu;
  std::map<std::string, std::string> auth_headers;  // "registry scope" -> Authorization; guarded by mu

  std::string where() const { return config.source.empty() ? "the registries file" : config.source; }

  Result<net::Url> url(const std::string& registry, const std::string& target) const {
    return net::parse_url((config.plain_http(registry) ? "http://" : "https://") + registry + target);
  }

  std::string cached_auth(const std::string& key) {
    std::lock_guard lock(mu);
    auto it = auth_headers.find(key);
    return it == auth_headers.end() ? std::string() : it->second;
  }

  // Answers a 401 challenge: stores the Authorization header to send for (registry, scope).
  Status authenticate(const std::string& registry, const std::string& scope,
                      const std::string& challenge_text) {
    auto challenge = parse_auth_challenge(challenge_text);
    const RegistryCredentials* creds = config.credentials(registry);
    std::string header;
    if (challenge.scheme == "basic") {
      if (!creds)
        return fail(Error::invalid("image", "registry " + registry +
                                                " requires a username and password: add them for \"" +
                                                registry + "\" to " + where()));
      header = "Basic " + base64_std(creds->username + ":" + creds->password);
    } else if (challenge.scheme == "bearer" && !challenge.param("realm").empty()) {
      auto realm = net::parse_url(challenge.param("realm"));
      if (!realm)
        return fail(Error::unavailable(
            "registry " + registry + " names a token server that is not a URL: " + challenge.param("realm")));
      net::ClientRequest req;
      std::string query;
      if (auto service = challenge.param("service"); !service.empty())
        query += "service=" + net::url_encode(service);
      std::string want = challenge.param("scope").empty() ? scope : challenge.param("scope");
      if (!want.empty()) query += (query.empty() ? "" : "&") + std::string("scope=") + net::url_encode(want);
      req.url = *realm;
      if (!query.empty())
        req.url.target += (req.url.target.find('?') == std::string::npos ? "?" : "&") + query;
      if (creds)
        req.headers.push_back(
            {"Authorization", "Basic " + base64_std(creds->username + ":" + creds->password)});
      auto res = http.send(req);
      if (!res)
        return fail(Error::unavailable("the token server of registry " + registry + " (" +
                                       realm->authority() + ") cannot be reached: " + res.error().message));
      if (res->status == 401 || res->status == 403)
        return fail(Error::invalid(
            "image",
            "the token server of registry " + registry + " refused " +
                (creds ? "the credentials for \"" + registry + "\" in " + where()
                       : "anonymous access; add credentials for \"" + registry + "\" to " + where())));
      if (res->status / 100 != 2)
        return fail(Error::unavailable("the token server of registry " + registry + " answered " +
                                       std::to_string(res->status)));
      json j = json::parse(res->body, nullptr, false);
      std::string token;
      if (j.is_object()) token = j.value("token", j.value("access_token", std::string()));
      if (token.empty())
        return fail(Error::unavailable("the token server of registry " + registry + " sent no token"));
      header = "Bearer " + token;
    } else {
      return fail(Error::invalid(
          "image",
          "registry " + registry + " asks for an unsupported authentication (" + challenge.scheme + ")"));
    }
    std::lock_guard lock(mu);
    auth_headers[registry + " " + scope] = std::move(header);
    return {};
  }

  // Sends `req` to `registry`, authenticating once on a 401. The last answer comes back whatever its status.
  Result<net::ClientResponse> call(const std::string& registry, const std::string& scope,
                                   net::ClientRequest req, const net::HttpClient::BodySink* sink = nullptr) {
    const std::string key = registry + " " + scope;
    const size_t base_headers = req.headers.size();
    for (int attempt = 0;; ++attempt) {
      req.headers.resize(base_headers);
      if (auto auth = cached_auth(key); !auth.empty()) req.headers.push_back({"Authorization", auth});
      auto res = sink ? http.send(req, *sink) : http.send(req);
      if (!res)
        return fail(
            Error::unavailable("registry " + registry + " cannot be reached: " + res.error().message));
      auto challenge = res->header("WWW-Authenticate");
      if (res->status != 401 || attempt > 0 || challenge.empty()) return res;
      if (auto s = authenticate(registry, scope, challenge); !s) return fail(s.error());
    }
  }

  // The Error for an answer the caller does not handle itself. `what` names the request for a person.
  Error status_error(const std::string& registry, const net::ClientResponse& res,
                     const std::string& what) const {
    std::string detail = registry_error_text(res.body);
    detail = detail.empty() ? "" : " (" + detail + ")";
    if (res.status == 401) {
      bool have = config.credentials(registry) != nullptr;
      return Error::invalid(
          "image", "registry " + registry + " refused " + what + ": " +
                       (have ? "check the credentials for \"" + registry + "\" in " + where()
                             : "it requires credentials; add them for \"" + registry + "\" to " + where()));
    }
    if (res.status == 403)
      return Error::invalid("image", "registry " + registry + " denied " + what + detail);
    if (res.status >= 500 || res.status == 429)
      return Error::unavailable("registry " + registry + " answered " + std::to_string(res.status) + " for " +
                                what + detail);
    return Error::invalid("image", "registry " + registry + " answered " + std::to_string(res.status) +
                                       " for " + what + detail);
  }

  Result<NamePage> list(const std::string& registry, const std::string& scope,
                        const std::string& first_target, const std::string& prefix,
                        const std::string& continue_token, const char* key, const std::string& what) {
    std::string target = first_target;
    if (!continue_token.empty()) {
      if (!base64url_decode(continue_token, target) || !target.starts_with(prefix))
        return fail(Error::invalid("continue", "the continue token is not one this list returned"));
    }
    auto u = url(registry, target);
    if (!u) return fail(Error::invalid("registry", "\"" + registry + "\" is not a registry host[:port]"));
    net::ClientRequest req;
    req.url = *u;
    req.headers.push_back({"Accept", "application/json"});
    auto res = call(registry, scope, req);
    if (!res) return fail(res.error());
    if (res->status == 404) {
      if (registry_error_has(res->body, "NAME_UNKNOWN"))
        return fail(Error::not_found("registry " + registry + " has no repository " + what));
      return fail(Error::not_found("registry " + registry + " does not list " + what));
    }
    if (res->status != 200) return fail(status_error(registry, *res, "the list of " + what));
    auto names = names_at(res->body, key);
    if (!names) return fail(names.error());
    NamePage page{std::move(*names), {}};
    if (auto next = next_link(res->header("Link")); !next.empty()) {
      if (auto resolved = net::resolve_url(*u, next); resolved && resolved->target.starts_with(prefix))
        page.continue_token = base64url_encode(resolved->target);
    }
    return page;
  }
};

RegistryClient::RegistryClient(const net::HttpClient& http, RegistryConfig config)
    : impl_(std::make_unique<Impl>(http, std::move(config))) {}

RegistryClient::~RegistryClient() = default;
RegistryClient::RegistryClient(RegistryClient&&) noexcept = default;

Result<FetchedManifest> RegistryClient::get_manifest(const ImageReference& ref,
                                                     const std::string& reference) {
  auto& d = *impl_;
  auto u = d.url(ref.registry, "/v2/" + ref.repository + "/manifests/" + reference);
  if (!u) return fail(Error::invalid("image", "\"" + ref.registry + "\" is not a registry host[:port]"));
  net::ClientRequest req;
  req.url = *u;
  req.headers.push_back({"Accept", manifest_accept_header()});
  auto res = d.call(ref.registry, "repository:" + ref.repository + ":pull", req);
  if (!res) return fail(res.error());
  const std::string image =
      ref.registry + "/" + ref.repository + (reference.starts_with("sha256:") ? "@" : ":") + reference;
  if (res->status == 404) {
    if (registry_error_has(res->body, "NAME_UNKNOWN"))
      return fail(Error::invalid("image", "image " + image + " not found: the registry has no repository \"" +
                                              ref.repository + "\""));
    std::string hint;
    if (!reference.starts_with("sha256:")) {
      auto tags = list_tags(ref.registry, ref.repository, 20, {});
      if (tags && tags->names.empty()) hint = " (the repository has no tags)";
      if (tags && !tags->names.empty()) {
        std::sort(tags->names.begin(), tags->names.end());
        hint = " (tags: ";
        for (size_t i = 0; i < tags->names.size(); ++i) hint += (i ? ", " : "") + tags->names[i];
        hint += tags->continue_token.empty() ? ")" : ", ...)";
      }
      if (!tags && tags.error().code == ErrorCode::kNotFound)
        return fail(Error::invalid(
            "image",
            "image " + image + " not found: the registry has no repository \"" + ref.repository + "\""));
    }
    return fail(Error::invalid("image", "image " + image + " not found: the registry has no " +
                                            (reference.starts_with("sha256:") ? "manifest " : "tag ") + "\"" +
                                            reference + "\"" + hint));
  }
  if (res->status != 200) return fail(d.status_error(ref.registry, *res, "the manifest of " + image));
  FetchedManifest out{res->header("Content-Type"), std::move(res->body), {}};
  out.digest = "sha256:" + sha256_hex(out.body);
  if (reference.starts_with("sha256:") && out.digest != reference)
    return fail(
        Error::invalid("image", "digest mismatch: the manifest of " + image + " has digest " + out.digest));
  if (auto announced = res->header("Docker-Content-Digest");
      announced.starts_with("sha256:") && announced != out.digest)
    return fail(Error::invalid("image", "digest mismatch: the registry announced " + announced + " for " +
                                            image + " but sent content with digest " + out.digest));
  return out;
}

Result<uint64_t> RegistryClient::download_blob(const ImageReference& ref, const std::string& digest,
                                               const std::string& partial_path) {
  auto& d = *impl_;
  const std::string scope = "repository:" + ref.repository + ":pull";
  const std::string what = "blob " + digest + " of " + ref.registry + "/" + ref.repository;
  auto start_url = d.url(ref.registry, "/v2/" + ref.repository + "/blobs/" + digest);
  if (!start_url)
    return fail(Error::invalid("image", "\"" + ref.registry + "\" is not a registry host[:port]"));
  uint64_t transferred = 0;
  bool restarted = false;  // from zero after a mismatch of a resumed file
  for (int attempt = 0;; ++attempt) {
    int fd = ::open(partial_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return fail(Error::internal("cannot open " + partial_path + ": " + std::strerror(errno)));
    auto hash = std::make_unique<Sha256>();
    uint64_t offset = 0;
    char buf[64 * 1024];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0; offset += static_cast<uint64_t>(n))
      hash->update(std::string_view(buf, static_cast<size_t>(n)));
    const bool started_fresh = offset == 0;
    bool range_ignored = false;
    net::HttpClient::BodySink sink = [&](const net::ClientResponse& head, std::string_view data) -> Status {
      if (head.status == 200 && !started_fresh && !range_ignored) {  // the registry ignored Range: start over
        range_ignored = true;
        if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0)
          return fail(Error::internal("cannot truncate " + partial_path));
        hash = std::make_unique<Sha256>();
        offset = 0;
      }
      for (size_t done = 0; done < data.size();) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(Error::internal("cannot write " + partial_path + ": " + std::strerror(errno)));
        done += static_cast<size_t>(n);
      }
      hash->update(data);
      offset += data.size();
      transferred += data.size();
      return {};
    };
    net::ClientRequest req;
    req.url = *start_url;
    if (offset > 0) req.headers.push_back({"Range", "bytes=" + std::to_string(offset) + "-"});
    Result<net::ClientResponse> res;
    for (int hop = 0;; ++hop) {
      // Registries may redirect blob downloads to a storage service; it gets no registry credentials.
      res = req.url.authority() == start_url->authority() ? d.call(ref.registry, scope, req, &sink)
                                                          : d.http.send(req, sink);
      if (!res || res->status / 100 != 3 || hop >= kMaxRedirects) break;
      auto location = net::resolve_url(req.url, res->header("Location"));
      if (!location) break;
      req.url = *location;
    }
    ::close(fd);
    if (!res) {
      if (res.error().code == ErrorCode::kUnavailable && attempt < kResumeAttempts) continue;  // resume
      return fail(res.error());
    }
    if (res->status == 416 && !started_fresh) {  // the partial file is longer than the blob
      ::unlink(partial_path.c_str());
      continue;
    }
    if (res->status == 404)
      return fail(Error::invalid("image", "the registry has no " + what + " (the image is incomplete)"));
    if (res->status / 100 != 2) return fail(d.status_error(ref.registry, *res, what));
    std::string got = "sha256:" + hash->hex_digest();
    if (got == digest) return transferred;
    ::unlink(partial_path.c_str());
    if (!started_fresh && !restarted) {  // the bytes kept from an earlier attempt may be the bad ones
      restarted = true;
      continue;
    }
    return fail(Error::invalid("image", "digest mismatch: " + what + " has content with digest " + got));
  }
}

Result<NamePage> RegistryClient::list_repositories(const std::string& registry, int limit,
                                                   const std::string& continue_token) {
  return impl_->list(registry, "registry:catalog:*", "/v2/_catalog?n=" + std::to_string(limit),
                     "/v2/_catalog?", continue_token, "repositories", "repositories");
}

Result<NamePage> RegistryClient::list_tags(const std::string& registry, const std::string& repository,
                                           int limit, const std::string& continue_token) {
  if (auto parsed = parse_image_reference(registry + "/" + repository);
      !parsed || parsed->repository != repository)
    return fail(Error::invalid("repository", "\"" + repository + "\" is not a repository name"));
  const std::string base = "/v2/" + repository + "/tags/list";
  return impl_->list(registry, "repository:" + repository + ":pull", base + "?n=" + std::to_string(limit),
                     base + "?", continue_token, "tags", "\"" + repository + "\"");
}

}  // namespace wharf
