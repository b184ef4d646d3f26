#include "runtime/kubernetes/kube_client.h"

#include <nlohmann/json.hpp>

#include "runtime/kubernetes/kube_errors.h"
#include "runtime/kubernetes/kube_path.h"

namespace wharf::kube {
namespace {

using json = nlohmann::json;

constexpr std::string_view kJson = "application/json";

std::string describe(std::string_view method, std::string_view path) {
  return std::string(method) + " " + std::string(path);
}

Result<json> parse_json(const std::string& body, std::string_view what) {
  auto value = json::parse(body, nullptr, false);
  if (value.is_discarded())
    return fail(
        Error::internal("the cluster answered " + std::string(what) + " with something that is not JSON"));
  return value;
}

const char* propagation_name(Propagation p) {
  switch (p) {
    case Propagation::kForeground:
      return "Foreground";
    case Propagation::kBackground:
      return "Background";
    case Propagation::kOrphan:
      return "Orphan";
  }
  return "Background";
}

}  // namespace

KubeClient::KubeClient(std::unique_ptr<Transport> transport) : transport_(std::move(transport)) {}

Result<std::unique_ptr<KubeClient>> KubeClient::create(const Kubeconfig& config,
                                                       const TransportOptions& options) {
  auto transport = Transport::create(config, options);
  if (!transport) return fail(transport.error());
  return std::unique_ptr<KubeClient>(new KubeClient(std::move(*transport)));
}

const std::string& KubeClient::server() const {
  return transport_->server();
}

Result<json> KubeClient::call(std::string_view method, std::string_view path, std::string_view content_type,
                              std::string body) {
  auto res = transport_->request(method, path, content_type, std::move(body));
  if (!res) return fail(res.error());
  if (res->status / 100 != 2)
    return fail(error_from_response(res->status, res->body, describe(method, path)));
  return parse_json(res->body, describe(method, path));
}

Result<json> KubeClient::get(std::string_view path) {
  return call("GET", path, {}, {});
}

Result<json> KubeClient::list(std::string_view path, int64_t page_size) {
  json all = json::object();
  json items = json::array();
  std::string continue_token;
  do {
    std::string page_path =
        with_query(std::string(path),
                   {{"limit", page_size > 0 ? std::to_string(page_size) : ""}, {"continue", continue_token}});
    auto page = call("GET", page_path, {}, {});
    if (!page) return fail(page.error());
    if (!page->is_object() || !page->contains("items"))
      return fail(Error::internal("GET " + std::string(path) + " did not answer with a list"));
    auto& page_items = (*page)["items"];
    if (page_items.is_array())
      for (auto& item : page_items) items.push_back(std::move(item));
    continue_token = page->value("/metadata/continue"_json_pointer, std::string());
    if (all.empty()) {
      // The first page's resourceVersion is the snapshot every later page belongs to.
      all["kind"] = page->value("kind", std::string());
      all["apiVersion"] = page->value("apiVersion", std::string());
      all["metadata"] = {
          {"resourceVersion", page->value("/metadata/resourceVersion"_json_pointer, std::string())}};
    }
  } while (!continue_token.empty());
  all["items"] = std::move(items);
  return all;
}

Result<json> KubeClient::apply(std::string_view path, const json& object) {
  // JSON is YAML: the apply content type takes the object as it is.
  std::string target = with_query(std::string(path), {{"fieldManager", "wharf"}, {"force", "true"}});
  return call("PATCH", target, "application/apply-patch+yaml", object.dump());
}

Result<json> KubeClient::create_object(std::string_view path, const json& object) {
  return call("POST", path, kJson, object.dump());
}

Result<json> KubeClient::patch_scale(std::string_view object_path, int32_t replicas) {
  json patch = {{"spec", {{"replicas", replicas}}}};
  return call("PATCH", std::string(object_path) + "/scale", "application/merge-patch+json", patch.dump());
}

Result<json> KubeClient::del(std::string_view path, Propagation propagation) {
  json options = {
      {"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"propagationPolicy", propagation_name(propagation)}};
  return call("DELETE", path, kJson, options.dump());
}

Result<WatchEnd> KubeClient::watch(std::string_view path, const WatchOptions& options,
                                   const WatchHandler& handler, std::stop_token stop) {
  std::string target = with_query(
      std::string(path),
      {{"watch", "true"},
       {"resourceVersion", options.resource_version},
       {"allowWatchBookmarks", options.bookmarks ? "true" : ""},
       {"timeoutSeconds", options.timeout_seconds > 0 ? std::to_string(options.timeout_seconds) : ""}});
  WatchEnd end;
  end.resource_version = options.resource_version;
  std::string pending;  // a line not yet complete
  std::optional<Error> failure;

  auto on_line = [&](std::string_view line) -> bool {
    auto event = json::parse(line, nullptr, false);
    if (!event.is_object() || !event.contains("type") || !event.contains("object")) {
      failure = Error::internal("the watch on " + std::string(path) + " sent a line that is not an event");
      return false;
    }
    const std::string type = event["type"].is_string() ? event["type"].get<std::string>() : "";
    const json& object = event["object"];
    if (type == "ERROR") {
      const int code = object.value("code", 0);
      std::string message = object.value("message", std::string());
      failure = code == 410 ? expired_error(message)
                            : error_from_response(code, object.dump(), "watch " + std::string(path));
      return false;
    }
    std::string rv = object.value("/metadata/resourceVersion"_json_pointer, std::string());
    if (!rv.empty()) end.resource_version = std::move(rv);
    ++end.events;
    if (!handler(type, object)) {
      end.stopped = true;
      return false;
    }
    return true;
  };
  auto on_data = [&](std::string_view data) -> bool {
    pending.append(data);
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(pending.data() + start, nl - start);
      if (line.empty()) continue;
      if (!on_line(line)) return false;
    }
    pending.erase(0, start);
    return true;
  };

  auto res = transport_->stream(target, on_data, options.idle_timeout, stop);
  if (!res) return fail(res.error());
  if (failure) return fail(*failure);
  if (stop.stop_requested()) end.stopped = true;
  if (res->status / 100 != 2)
    return fail(error_from_response(res->status, res->body, "watch " + std::string(path)));
  if (!pending.empty() && !end.stopped && !on_line(pending) && failure) return fail(*failure);
  return end;
}

Status KubeClient::read_text(std::string_view path, const std::function<bool(std::string_view)>& on_data,
                             std::stop_token stop) {
  auto res = transport_->stream(path, on_data, std::chrono::milliseconds(0), stop);
  if (!res) return fail(res.error());
  if (res->status / 100 != 2) return fail(error_from_response(res->status, res->body, describe("GET", path)));
  return {};
}

Result<std::string> KubeClient::server_version() {
  auto v = get("/version");
  if (!v) return fail(v.error());
  std::string version = v->value("gitVersion", std::string());
  if (version.empty()) return fail(Error::internal("GET /version on " + server() + " has no gitVersion"));
  return version;
}

Result<AccessReview> KubeClient::can_i(std::string_view verb, std::string_view group,
                                       std::string_view resource, std::string_view ns) {
  json attributes = {{"verb", verb}, {"group", group}, {"resource", resource}};
  if (auto slash = resource.find('/'); slash != std::string_view::npos) {
    attributes["resource"] = resource.substr(0, slash);
    attributes["subresource"] = resource.substr(slash + 1);
  }
  if (!ns.empty()) attributes["namespace"] = ns;
  json review = {{"apiVersion", "authorization.k8s.io/v1"},
                 {"kind", "SelfSubjectAccessReview"},
                 {"spec", {{"resourceAttributes", attributes}}}};
  auto answer = create_object("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review);
  if (!answer) return fail(answer.error());
  AccessReview out;
  out.allowed = answer->value("/status/allowed"_json_pointer, false);
  out.reason = answer->value("/status/reason"_json_pointer, std::string());
  if (out.reason.empty()) out.reason = answer->value("/status/evaluationError"_json_pointer, std::string());
  return out;
}

}  // namespace wharf::kube
