// Building Kubernetes API paths and query strings, with percent-encoding of every user-supplied part.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wharf::kube {

// Percent-encodes everything except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), so a label
// selector like "app in (a,b)" or a name can never change the path's structure. Pure; thread-safe.
std::string url_encode(std::string_view text);

// The collection or object path of a resource:
//   resource_path("", "v1", "", "namespaces")                      -> /api/v1/namespaces
//   resource_path("apps", "v1", "ns", "deployments", "web")         ->
//   /apis/apps/v1/namespaces/ns/deployments/web resource_path("apps", "v1", "ns", "deployments", "web",
//   "scale") -> .../deployments/web/scale
// An empty group means the core group (/api). Empty namespace: cluster-scoped or all namespaces.
// Each segment is percent-encoded. Pure; thread-safe.
std::string resource_path(std::string_view group, std::string_view version, std::string_view ns,
                          std::string_view resource, std::string_view name = {},
                          std::string_view subresource = {});

// Appends query parameters to `path` ('?' or '&' as needed), encoding each key and value; parameters
// with an empty value are left out. Pure; thread-safe.
std::string with_query(std::string path, const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace wharf::kube
