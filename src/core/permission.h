// Permissions: the actions routes declare ("app.deploy") and roles grant. Each has a scope that says what
// a grant of it is tied to: the whole platform, a project, or environments of a project.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace wharf {

enum class PermissionScope {
  kAuthenticated,  // any signed-in caller (version, the OpenAPI document, cluster names)
  kPlatform,       // platform administrators only (clusters, users, creating projects)
  kProject,        // a project as a whole (its apps' specs, environments, members)
  kEnvironment,    // one environment of a project (deploy, logs, config)
};

struct PermissionInfo {
  std::string_view name;
  PermissionScope scope;
  std::string_view description;
};

// "authenticated", "platform", "project" or "environment": the scope's name in the API.
std::string_view to_string(PermissionScope scope);

// Every permission Wharf knows, in a stable order. Routes may only declare these (a unit test checks
// the route table against it), and custom roles are built from them.
std::span<const PermissionInfo> all_permissions();

// The permission's entry, or nullopt for an unknown name.
std::optional<PermissionInfo> find_permission(std::string_view name);

// Reading permissions end in ".read" (and logs): an environment-narrowed binding grants the project-wide
// ones of these so that its holder can find the apps of the environments they work in.
bool is_read_permission(std::string_view name);

}  // namespace wharf
