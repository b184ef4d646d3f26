// A client of one Kubernetes API server: get, list with pagination, server-side apply, scale, delete,
// watch, version and access reviews. JSON in and out (nlohmann); the transport is kube_transport.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <stop_token>
#include <string>
#include <string_view>

#include "core/error.h"
#include "runtime/kubernetes/kube_transport.h"
#include "runtime/kubernetes/kubeconfig.h"

namespace wharf::kube {

enum class Propagation { kForeground, kBackground, kOrphan };

struct WatchOptions {
  std::string resource_version;  // watch changes after this one; empty: from "now" + initial ADDED
  bool bookmarks = true;         // allowWatchBookmarks=true
  int64_t timeout_seconds = 0;   // server ends the watch after this; 0: server default
  std::chrono::milliseconds idle_timeout{0};  // client ends it after this long without bytes; 0: never
};

struct WatchEnd {
  std::string resource_version;  // the last one seen (event or BOOKMARK): resume from here
  int64_t events = 0;            // events handed to the handler, bookmarks included
  bool stopped = false;          // the handler returned false or the stop token was requested
};

struct AccessReview {
  bool allowed = false;
  std::string reason;  // the authorizer's reason or evaluation error, may be empty
};

// Called for each watch event with its type (ADDED, MODIFIED, DELETED, BOOKMARK) and object. Returns
// false to end the watch.
using WatchHandler = std::function<bool(std::string_view type, const nlohmann::json& object)>;

class KubeClient {
 public:
  // Prepares a client for the kubeconfig's cluster; does not connect. Error::invalid for unusable
  // certificates, keys or server URL.
  static Result<std::unique_ptr<KubeClient>> create(const Kubeconfig& config,
                                                    const TransportOptions& options = {});

  // All calls below block for up to the transport timeout (watch: see there), and are thread-safe: any
  // number of threads may call them at once on one client. Paths come from resource_path/with_query.
  // Errors: kube_errors.h for answers that are not 2xx; kUnavailable for transport failures (unreachable,
  // timeout; field "certificate-authority-data" when the server's certificate does not verify).

  // GET path -> the object.
  Result<nlohmann::json> get(std::string_view path);

  // Lists a collection (path may carry labelSelector/fieldSelector), following `continue` pages of
  // page_size items. Returns a List object: {"kind", "apiVersion", "metadata": {"resourceVersion"},
  // "items": [all items]}. A continue token that expires mid-list (410) is an is_expired Error.
  Result<nlohmann::json> list(std::string_view path, int64_t page_size = 500);

  // Server-side apply: PATCH path (the object's own path) with the object as apply-patch+yaml,
  // fieldManager=wharf, force=true. Creates or updates; returns the object as stored.
  Result<nlohmann::json> apply(std::string_view path, const nlohmann::json& object);

  // POST path with a JSON body -> the created object (or the review's answer).
  Result<nlohmann::json> create_object(std::string_view path, const nlohmann::json& object);

  // Sets spec.replicas through the scale subresource (merge patch on `<object path>/scale`); returns
  // the Scale object.
  Result<nlohmann::json> patch_scale(std::string_view object_path, int32_t replicas);

  // DELETE path with the propagation policy. Returns the answer (the object, being deleted, or a Status).
  // A missing object is kNotFound.
  Result<nlohmann::json> del(std::string_view path, Propagation propagation = Propagation::kBackground);

  // Watches a collection path: reads the chunked stream line by line and calls `handler` per event, on
  // the calling thread. Returns on stream end (server timeout, apiserver shutdown: callers watch again
  // from WatchEnd::resource_version), when the handler returns false or `stop` is requested (from any
  // thread). An ERROR event with 410, or a 410 answer, is the is_expired Error: list again. A broken
  // connection is kUnavailable. Blocks for the length of the watch.
  Result<WatchEnd> watch(std::string_view path, const WatchOptions& options, const WatchHandler& handler,
                         std::stop_token stop = {});

  // GET path whose answer is text (pods/{name}/log), handed to on_data chunk by chunk as it arrives.
  // Returns when the answer ends, on_data returns false or `stop` is requested. Errors as for get().
  // Blocks for the length of the answer (a followed log: until stopped).
  Status read_text(std::string_view path, const std::function<bool(std::string_view)>& on_data,
                   std::stop_token stop = {});

  // GET /version -> gitVersion ("v1.34.4").
  Result<std::string> server_version();

  // Whether these credentials may `verb` the resource (SelfSubjectAccessReview); "deployments/scale"
  // names a subresource. ns empty: all namespaces.
  Result<AccessReview> can_i(std::string_view verb, std::string_view group, std::string_view resource,
                             std::string_view ns = {});

  const std::string& server() const;

 private:
  explicit KubeClient(std::unique_ptr<Transport> transport);
  Result<nlohmann::json> call(std::string_view method, std::string_view path, std::string_view content_type,
                              std::string body);
  std::unique_ptr<Transport> transport_;
};

}  // namespace wharf::kube
