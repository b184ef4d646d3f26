// Registration of every route, grouped by resource. Each group lives in its own routes_*.cpp.
#pragma once

#include "api/api_context.h"
#include "api/router.h"

namespace wharf::api {

void add_system_routes(Router& router, ApiContext& ctx);   // healthz, readyz, metrics, version, openapi
void add_project_routes(Router& router, ApiContext& ctx);  // projects and their environments
void add_cluster_routes(Router& router, ApiContext& ctx);
void add_app_routes(Router& router, ApiContext& ctx);
void add_release_routes(Router& router, ApiContext& ctx);   // deploy, rollback, scale, offline, history
void add_instance_routes(Router& router, ApiContext& ctx);  // instances, logs
void add_watch_routes(Router& router, ApiContext& ctx);     // SSE
void add_access_routes(Router& router, ApiContext& ctx);    // me, roles, members, users, tokens, audit
void add_registry_routes(Router& router, ApiContext& ctx);  // browsing image registries
void add_login_routes(Router& router, ApiContext& ctx);     // login, logout, passwords, token lists
void add_config_routes(Router& router, ApiContext& ctx);    // config drafts, versions, import/export, search
void add_apollo_routes(Router& router, ApiContext& ctx);    // Apollo-compatible config client API

inline void add_all_routes(Router& router, ApiContext& ctx) {
  add_system_routes(router, ctx);
  add_project_routes(router, ctx);
  add_cluster_routes(router, ctx);
  add_app_routes(router, ctx);
  add_release_routes(router, ctx);
  add_instance_routes(router, ctx);
  add_watch_routes(router, ctx);
  add_access_routes(router, ctx);
  add_registry_routes(router, ctx);
  add_login_routes(router, ctx);
  add_config_routes(router, ctx);
  add_apollo_routes(router, ctx);
}

}  // namespace wharf::api
