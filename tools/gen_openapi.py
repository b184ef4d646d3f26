#!/usr/bin/env python3
"""Writes src/api/openapi.json, the OpenAPI 3 document of Wharf's API.

The JSON file is the source the server embeds; this script is how it is edited (schemas are shared
below). A unit test checks that the document and the router's table list the same routes.
Run: python3 tools/gen_openapi.py
"""
import json
import pathlib

ERR = {"$ref": "#/components/responses/Error"}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def page(name):
    return {"type": "object", "required": ["items", "continue"],
            "properties": {"items": {"type": "array", "items": ref(name)},
                           "continue": {"type": "string", "description": "token of the next page; empty on the last"}}}


def op(summary, ok_status, ok_schema, body=None, params=(), errors=(400, 401, 403, 404), content="application/json"):
    o = {"summary": summary, "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in params],
         "responses": {str(ok_status): {"description": "success",
                                        "content": {content: {"schema": ok_schema}}}}}
    if not o["parameters"]:
        del o["parameters"]
    if body:
        o["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    for e in errors:
        o["responses"][str(e)] = ERR
    return o


TEXT = {"type": "string"}
P, E, A, C, R = "project", "env", "app", "cluster", "revision"
LIST = ("limit", "continue")
REL = (P, A, E)

paths = {
    "/healthz": {"get": op("Liveness: the process serves HTTP", 200, TEXT, errors=(), content="text/plain")},
    "/readyz": {"get": op("Readiness: started, store reachable, not draining", 200, TEXT, errors=(503,),
                          content="text/plain")},
    "/metrics": {"get": op("Prometheus metrics", 200, TEXT, errors=(), content="text/plain")},
    "/api/v1/version": {"get": op("Server version and commit", 200, ref("Version"), errors=(401,))},
    "/api/v1/openapi.json": {"get": op("This API's OpenAPI 3 document", 200, {"type": "object"}, errors=(401,))},
    "/api/v1/projects": {
        "post": op("Create a project", 201, ref("Project"), ref("Project"), errors=(400, 401, 403, 409)),
        "get": op("List projects", 200, page("Project"), params=LIST, errors=(400, 401))},
    "/api/v1/projects/{project}": {
        "get": op("Get a project", 200, ref("Project"), params=(P,)),
        "patch": op("Change a project's displayName or description (JSON merge patch)", 200, ref("Project"),
                    ref("Project"), params=(P,), errors=(400, 401, 403, 404, 409)),
        "delete": op("Delete a project with its environments, apps and history", 200, ref("Project"),
                     params=(P, "resourceVersion"), errors=(400, 401, 403, 404, 409))},
    "/api/v1/projects/{project}/summary": {
        "get": op("How a project's apps are doing per environment (healthy, progressing, failed, offline, not "
                  "deployed) and what they take (instances, CPU and memory limits and requests)", 200,
                  ref("ProjectSummary"), params=(P,))},
    "/api/v1/projects/{project}/environments": {
        "post": op("Create an environment", 201, ref("Environment"), ref("Environment"), params=(P,),
                   errors=(400, 401, 403, 404, 409)),
        "get": op("List a project's environments", 200, page("Environment"), params=(P,) + LIST)},
    "/api/v1/projects/{project}/environments/{env}": {
        "get": op("Get an environment", 200, ref("Environment"), params=(P, E)),
        "put": op("Replace an environment's clusters, namespace and policy", 200, ref("Environment"),
                  ref("Environment"), params=(P, E), errors=(400, 401, 403, 404, 409)),
        "delete": op("Delete an environment and its release history", 200, ref("Environment"),
                     params=(P, E, "resourceVersion"), errors=(400, 401, 403, 404, 409))},
    "/api/v1/clusters": {
        "get": op("List clusters (local is always present)", 200, page("Cluster"), params=LIST, errors=(400, 401)),
        "post": op("Register a Kubernetes cluster from a kubeconfig", 201, ref("Cluster"), ref("ClusterRegistration"),
                   errors=(400, 401, 403, 409, 422, 503))},
    "/api/v1/clusters/{cluster}": {
        "get": op("Get a cluster", 200, ref("Cluster"), params=(C,)),
        "delete": op("Delete a Kubernetes cluster no environment uses (what runs on it is left alone)", 200,
                     ref("Cluster"), params=(C,), errors=(401, 403, 404, 409, 503))},
    "/api/v1/registries/{registry}/repositories": {
        "get": op("List the repositories of a registry (its _catalog)", 200, page("RegistryName"),
                  params=("registry",) + LIST, errors=(400, 401, 403, 404, 503))},
    "/api/v1/registries/{registry}/tags": {
        "get": op("List the tags of a repository (?repository=team/web)", 200, page("RegistryName"),
                  params=("registry", "repository") + LIST, errors=(400, 401, 403, 404, 503))},
    "/api/v1/projects/{project}/apps": {
        "post": op("Create an app from its spec", 201, ref("App"), ref("AppSpec"), params=(P,),
                   errors=(400, 401, 403, 404, 409)),
        "get": op("List a project's apps", 200, page("App"), params=(P,) + LIST)},
    "/api/v1/projects/{project}/apps/{app}": {
        "get": op("Get an app with its status per environment", 200, ref("App"), params=(P, A)),
        "put": op("Replace an app's spec (takes effect at the next deploy)", 200, ref("App"), ref("AppSpec"),
                  params=(P, A), errors=(400, 401, 403, 404, 409)),
        "delete": op("Delete an app, its instances and its release history", 200, ref("App"),
                     params=(P, A, "resourceVersion"), errors=(400, 401, 403, 404, 409))},
}
base = "/api/v1/projects/{project}/apps/{app}/environments/{env}"
paths[base + "/deploy"] = {"post": op("Deploy the app (new image, config version or replicas)", 202, ref("Release"),
                                      ref("DeployRequest"), params=REL, errors=(400, 401, 403, 404, 409, 422))}
paths[base + "/rollback"] = {"post": op("Roll back to an earlier release: its image, spec and config version together",
                                        202, ref("Release"), ref("RollbackRequest"), params=REL,
                                        errors=(400, 401, 403, 404, 409))}
paths[base + "/scale"] = {"post": op("Change the number of replicas", 202, ref("Release"), ref("ScaleRequest"),
                                     params=REL, errors=(400, 401, 403, 404, 409))}
paths[base + "/offline"] = {"post": op("Stop every instance; history is kept and deploy brings it back", 202,
                                       ref("Release"), ref("OfflineRequest"), params=REL,
                                       errors=(400, 401, 403, 404, 409))}
# Planning calls take ?dryRun=true: 200 with the release the call would make, nothing stored or audited.
for tail in ("/deploy", "/rollback", "/scale", "/offline"):
    post = paths[base + tail]["post"]
    post["parameters"].append({"$ref": "#/components/parameters/dryRun"})
    post["responses"]["200"] = {"description": "dryRun=true: the release as planned (revision 0); nothing changed",
                                "content": {"application/json": {"schema": ref("Release")}}}
paths[base + "/releases"] = {"get": op("Release history, newest first", 200, page("Release"), params=REL + LIST)}
paths[base + "/releases/{revision}"] = {"get": op("One release", 200, ref("Release"), params=REL + (R,))}
paths[base + "/instances"] = {"get": op("Running instances as last observed", 200,
                                        {"type": "array", "items": ref("Instance")}, params=REL)}
paths[base + "/logs"] = {"get": op("Log lines of the app's instances (tail, since, follow=1 streams)", 200, TEXT,
                                   params=REL + ("instance", "tail", "since", "follow"),
                                   errors=(400, 401, 403, 404, 503), content="text/plain")}
paths["/api/v1/watch"] = {"get": op("Server-Sent Events of changes (?project=&kinds=app,release,instance)", 200,
                                    {"type": "string", "description": "text/event-stream; each data line is a WatchEvent"},
                                    params=("watchProject", "kinds"), errors=(400, 401, 404),
                                    content="text/event-stream")}


def path_param(name, desc, schema=None):
    return {"name": name, "in": "path", "required": True, "description": desc, "schema": schema or NAME}


def query(name, desc, schema):
    return {"name": name, "in": "query", "required": False, "description": desc, "schema": schema}


NAME = {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 40}
TIME = {"type": "string", "format": "date-time", "readOnly": True}
RV = {"type": "integer", "format": "int64", "description": "optimistic concurrency: send back what you read"}
PROBE = {"type": "object", "properties": {
    "http": {"type": "object", "properties": {"path": {"type": "string"}, "port": {"oneOf": [{"type": "integer"}, {"type": "string"}]}}},
    "tcp": {"type": "object", "properties": {"port": {"oneOf": [{"type": "integer"}, {"type": "string"}]}}},
    "exec": {"type": "object", "properties": {"command": {"type": "array", "items": {"type": "string"}}}},
    "initialDelaySeconds": {"type": "integer"}, "periodSeconds": {"type": "integer"},
    "timeoutSeconds": {"type": "integer"}, "successThreshold": {"type": "integer"},
    "failureThreshold": {"type": "integer"}}}
INT_OR_PCT = {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^[0-9]+%$"}]}
STATUS = {"type": "string", "enum": ["pending", "progressing", "succeeded", "failed"]}
APP_SPEC = {
    "name": NAME, "image": {"type": "string", "example": "127.0.0.1:5000/team/web:1.4.2"},
    "command": {"type": "array", "items": {"type": "string"}}, "args": {"type": "array", "items": {"type": "string"}},
    "ports": {"type": "array", "items": {"type": "object", "required": ["port"], "properties": {
        "name": {"type": "string"}, "port": {"type": "integer", "minimum": 1, "maximum": 65535},
        "protocol": {"type": "string", "enum": ["TCP", "UDP", "SCTP"]}}}},
    "env": {"type": "object", "additionalProperties": {"type": "string"}},
    "resources": {"type": "object", "description": "limits; requests follow from qos", "properties": {
        "cpu": {"type": "string", "example": "500m"}, "memory": {"type": "string", "example": "512Mi"}}},
    "qos": {"type": "string", "enum": ["critical", "standard", "elastic", "batch"]},
    "replicas": {"type": "integer", "minimum": 0, "maximum": 1000},
    "healthCheck": {"type": "object", "properties": {"readiness": PROBE, "liveness": PROBE}},
    "strategy": {"type": "object", "properties": {"maxSurge": INT_OR_PCT, "maxUnavailable": INT_OR_PCT,
                                                  "progressDeadlineSeconds": {"type": "integer"}}},
    "configPath": {"type": "string", "default": "/etc/wharf/config",
                   "description": "where the config version's file items appear, read-only"}}
schemas = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "enum": ["invalid", "not_found", "conflict", "forbidden", "unauthorized",
                                                "quota_exceeded", "policy_violation", "unavailable", "internal"]},
            "message": {"type": "string"}, "field": {"type": "string"}}}}},
    "Version": {"type": "object", "properties": {"version": {"type": "string"}, "commit": {"type": "string"}}},
    "Project": {"type": "object", "required": ["name"], "properties": {
        "name": NAME, "displayName": {"type": "string", "maxLength": 100},
        "description": {"type": "string", "maxLength": 2000}, "resourceVersion": RV,
        "createdAt": TIME, "updatedAt": TIME}},
    "Environment": {"type": "object", "required": ["name", "clusters"], "properties": {
        "name": NAME, "project": {"type": "string", "readOnly": True},
        "clusters": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "namespace": {"type": "string", "maxLength": 63},
        "policy": {"type": "object", "properties": {"production": {"type": "boolean"}}},
        "resourceVersion": RV, "createdAt": TIME, "updatedAt": TIME}},
    "Cluster": {"type": "object", "properties": {
        "name": NAME, "type": {"type": "string", "enum": ["local", "kubernetes"]}, "server": {"type": "string"},
        "resourceVersion": RV, "createdAt": TIME}},
    "ClusterRegistration": {"type": "object", "required": ["name", "kubeconfig"], "properties": {
        "name": NAME, "type": {"type": "string", "enum": ["kubernetes"]},
        "kubeconfig": {"type": "string", "description": "kubeconfig YAML with inline credentials; stored encrypted, "
                       "never returned"},
        "context": {"type": "string", "description": "the context to use; default: current-context"}}},
    "AppSpec": {"type": "object", "required": ["name"], "properties": APP_SPEC},
    "App": {"type": "object", "properties": dict(APP_SPEC, **{
        "project": {"type": "string", "readOnly": True}, "resourceVersion": RV, "createdAt": TIME,
        "updatedAt": TIME,
        "status": {"type": "object", "readOnly": True, "description": "per environment name",
                   "additionalProperties": {"type": "object", "properties": {
                       "revision": {"type": "integer"}, "kind": {"type": "string"}, "status": STATUS,
                       "image": {"type": "string"}, "replicas": {"type": "integer"}, "ready": {"type": "integer"},
                       "offline": {"type": "boolean"}, "reason": {"type": "string"}}}}})},
    "DeployRequest": {"type": "object", "properties": {
        "image": {"type": "string"}, "configVersion": {"type": "integer"},
        "replicas": {"type": "integer", "minimum": 0, "maximum": 1000}, "message": {"type": "string"}}},
    "RollbackRequest": {"type": "object", "properties": {
        "toRevision": {"type": "integer", "minimum": 1}, "message": {"type": "string"}}},
    "ScaleRequest": {"type": "object", "required": ["replicas"], "properties": {
        "replicas": {"type": "integer", "minimum": 0, "maximum": 1000}, "message": {"type": "string"}}},
    "OfflineRequest": {"type": "object", "properties": {"message": {"type": "string"}}},
    "Release": {"type": "object", "properties": {
        "revision": {"type": "integer"}, "app": {"type": "string"}, "environment": {"type": "string"},
        "project": {"type": "string"}, "image": {"type": "string"}, "imageDigest": {"type": "string"},
        "configVersion": {"type": "integer"}, "replicas": {"type": "integer"}, "spec": ref("AppSpec"),
        "kind": {"type": "string", "enum": ["deploy", "rollback", "scale", "offline"]},
        "rollbackOf": {"type": "integer"}, "status": STATUS, "message": {"type": "string"},
        "reason": {"type": "string"}, "createdBy": {"type": "string"}, "createdAt": TIME, "finishedAt": TIME,
        "clusters": {"type": "array", "items": {"type": "object", "properties": {
            "cluster": {"type": "string"}, "status": STATUS, "ready": {"type": "integer"},
            "desired": {"type": "integer"}, "message": {"type": "string"}}}},
        "resourceVersion": RV}},
    "Instance": {"type": "object", "properties": {
        "name": {"type": "string"}, "state": {"type": "string"}, "ready": {"type": "boolean"},
        "restarts": {"type": "integer"}, "address": {"type": "string"}, "cluster": {"type": "string"},
        "node": {"type": "string"}, "startedAt": {"type": "string", "format": "date-time"},
        "release": {"type": "integer"}, "reason": {"type": "string"}}},
    "RegistryName": {"type": "object", "required": ["name", "image"], "properties": {
        "name": {"type": "string", "description": "repository (team/web) or tag (1.4.2)"},
        "image": {"type": "string", "description": "the image reference to deploy, 127.0.0.1:5000/team/web:1.4.2"}}},
    "WatchEvent": {"type": "object", "properties": {
        "type": {"type": "string", "enum": ["ADDED", "MODIFIED", "DELETED"]},
        "kind": {"type": "string", "enum": ["project", "environment", "cluster", "app", "release", "instance"]},
        "project": {"type": "string"}, "name": {"type": "string"}, "resourceVersion": {"type": "integer"},
        "object": {"type": "object"}}},
}
HEALTH = {"type": "object", "description": "apps by state; across environments an app counts as its worst",
          "properties": {k: {"type": "integer"} for k in ("healthy", "progressing", "failed", "offline", "notDeployed")}}
USAGE = {"type": "object", "description": "what the desired instances take; requests follow from limits by QoS tier",
         "properties": {"instances": {"type": "object", "properties": {"desired": {"type": "integer"},
                                                                      "ready": {"type": "integer"}}},
                        **{k: {"type": "integer"} for k in ("cpuLimitMillis", "memoryLimitBytes", "cpuRequestMillis",
                                                            "memoryRequestBytes")},
                        "unlimitedInstances": {"type": "integer",
                                               "description": "desired instances without a CPU or memory limit"}}}
schemas["ProjectSummary"] = {"type": "object", "properties": {
    "project": {"type": "string"}, "apps": {"type": "integer"}, "health": HEALTH, "usage": USAGE,
    "environments": {"type": "array", "description": "the environments the caller may read releases in",
                     "items": {"type": "object", "properties": {"name": {"type": "string"}, "apps": HEALTH,
                                                                "usage": USAGE}}}}}
parameters = {
    "project": path_param("project", "project name"), "env": path_param("env", "environment name"),
    "app": path_param("app", "app name"), "cluster": path_param("cluster", "cluster name"),
    "revision": path_param("revision", "release revision", {"type": "integer", "minimum": 1}),
    "limit": query("limit", "page size", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}),
    "continue": query("continue", "token from the previous page", {"type": "string"}),
    "resourceVersion": query("resourceVersion", "refuse (409) if the object changed since", {"type": "integer"}),
    "instance": query("instance", "one instance's logs", {"type": "string"}),
    "tail": query("tail", "last N lines", {"type": "integer", "minimum": 0}),
    "since": query("since", "lines after this time", {"type": "string", "format": "date-time"}),
    "follow": query("follow", "1 streams new lines", {"type": "integer", "enum": [0, 1]}),
    "watchProject": query("project", "only this project's changes", {"type": "string"}),
    "registry": path_param("registry", "registry host[:port], e.g. 127.0.0.1:5000", {"type": "string"}),
    "repository": query("repository", "repository name, e.g. team/web", {"type": "string"}),
    "dryRun": query("dryRun", "true: plan and check only, change nothing", {"type": "boolean"}),
    "kinds": query("kinds", "comma-separated kinds", {"type": "string", "example": "app,release,instance"}),
}
# Tenancy: the caller, permissions, roles, members, users and tokens, audit.
STR_LIST = {"type": "array", "items": {"type": "string"}}
schemas["Me"] = {"type": "object", "properties": {
    "user": {"type": "string"}, "admin": {"type": "boolean"}, "groups": STR_LIST,
    "projects": STR_LIST, "permissions": STR_LIST}}
schemas["Permission"] = {"type": "object", "properties": {
    "name": {"type": "string"}, "description": {"type": "string"},
    "scope": {"type": "string", "enum": ["authenticated", "platform", "project", "environment"]}}}
schemas["Role"] = {"type": "object", "required": ["name", "permissions"], "properties": {
    "name": NAME, "description": {"type": "string"}, "permissions": STR_LIST,
    "builtin": {"type": "boolean", "readOnly": True}, "resourceVersion": RV}}
schemas["Member"] = {"type": "object", "required": ["subject", "role"], "properties": {
    "id": {"type": "integer", "format": "int64", "readOnly": True},
    "kind": {"type": "string", "enum": ["user", "group"], "default": "user"},
    "subject": {"type": "string"}, "role": {"type": "string"},
    "environments": {**STR_LIST, "description": "empty: the whole project"},
    "createdBy": {"type": "string", "readOnly": True}, "createdAt": TIME}}
schemas["User"] = {"type": "object", "required": ["name"], "properties": {
    "name": NAME, "displayName": {"type": "string"}, "admin": {"type": "boolean"}, "createdAt": TIME}}
schemas["TokenRequest"] = {"type": "object", "required": ["name"], "properties": {
    "name": {"type": "string"}, "expiresAt": {"type": "string", "format": "date-time"}}}
schemas["Token"] = {"type": "object", "properties": {
    "id": {"type": "string"}, "user": {"type": "string"}, "name": {"type": "string"},
    "expiresAt": {"type": "string"}, "token": {"type": "string", "description": "the secret: shown only here"}}}
schemas["AuditRecord"] = {"type": "object", "properties": {
    "id": {"type": "integer", "format": "int64"}, "at": TIME, "actor": {"type": "string"},
    "remote": {"type": "string"}, "action": {"type": "string"}, "method": {"type": "string"},
    "target": {"type": "string"}, "project": {"type": "string"}, "result": {"type": "string"}}}
parameters["role"] = path_param("role", "role name")
parameters["binding"] = path_param("binding", "member binding id", {"type": "integer", "format": "int64"})
parameters["user"] = path_param("user", "user name")
parameters["auditUser"] = query("user", "only calls by this user", {"type": "string"})
parameters["auditProject"] = query("project", "only calls in this project", NAME)
parameters["sinceTime"] = query("since", "from this time (RFC 3339)", {"type": "string", "format": "date-time"})
parameters["untilTime"] = query("until", "before this time (RFC 3339)", {"type": "string", "format": "date-time"})
parameters["meProject"] = query("project", "return the permissions held in this project", NAME)
parameters["meEnvironment"] = query("environment", "and in this environment of it", NAME)
ITEMS = lambda name: {"type": "object", "properties": {"items": {"type": "array", "items": ref(name)}}}
paths["/api/v1/me"] = {"get": op("The caller: name, groups, projects, and with ?project=&environment= the "
                                 "permissions held there", 200, ref("Me"), params=("meProject", "meEnvironment"),
                                 errors=(401, 404))}
paths["/api/v1/me/tokens"] = {"post": op("Issue an API token for yourself; the secret is in this response only",
                                         201, ref("Token"), ref("TokenRequest"), errors=(400, 401))}
paths["/api/v1/permissions"] = {"get": op("Every permission with its scope", 200, ITEMS("Permission"), errors=(401,))}
paths["/api/v1/roles"] = {
    "get": op("Built-in and custom roles", 200, ITEMS("Role"), errors=(401,)),
    "post": op("Define a custom role from permissions", 201, ref("Role"), ref("Role"), errors=(400, 401, 403, 409))}
paths["/api/v1/roles/{role}"] = {
    "put": op("Replace a custom role's description and permissions", 200, ref("Role"), ref("Role"),
              params=("role",), errors=(400, 401, 403, 404, 409)),
    "delete": op("Delete a custom role no binding uses", 204, {"type": "string"}, params=("role", "resourceVersion"),
                 errors=(401, 403, 404, 409))}
paths["/api/v1/projects/{project}/members"] = {
    "get": op("Who has which role in the project", 200, ITEMS("Member"), params=("project",)),
    "post": op("Grant a role to a user or group, optionally only in some environments", 201, ref("Member"),
               ref("Member"), params=("project",), errors=(400, 401, 403, 404, 409))}
paths["/api/v1/projects/{project}/members/{binding}"] = {
    "put": op("Change a binding's role and environments in one step (the subject stays)", 200, ref("Member"),
              {"type": "object", "properties": {"role": {"type": "string"}, "environments": STR_LIST}},
              params=("project", "binding"), errors=(400, 401, 403, 404, 409)),
    "delete": op("Revoke a role binding", 204, {"type": "string"}, params=("project", "binding"))}
paths["/api/v1/users"] = {
    "get": op("List users", 200, page("User"), params=("limit", "continue"), errors=(400, 401, 403)),
    "post": op("Create a local user", 201, ref("User"), ref("User"), errors=(400, 401, 403, 409))}
paths["/api/v1/users/{user}/tokens"] = {
    "post": op("Issue an API token for a user; the secret is in this response only", 201, ref("Token"),
               ref("TokenRequest"), params=("user",), errors=(400, 401, 403, 404))}
paths["/api/v1/projects/{project}/audit"] = {
    "get": op("The project's audit log, newest first (?user=&since=&until=)", 200, page("AuditRecord"),
              params=("project", "auditUser", "sinceTime", "untilTime", "limit", "continue"))}
paths["/api/v1/audit"] = {
    "get": op("The audit log of the whole platform, newest first (?project=&user=&since=&until=)", 200,
              page("AuditRecord"), params=("auditProject", "auditUser", "sinceTime", "untilTime", "limit", "continue"),
              errors=(400, 401, 403))}
# Logins, sessions, passwords, token lists.
schemas["LoginRequest"] = {"type": "object", "required": ["username", "password"], "properties": {
    "username": {"type": "string"}, "password": {"type": "string", "format": "password", "writeOnly": True},
    "tokenName": {"type": "string", "description": "return an API token named so (expires in 30 days) instead of "
                                                   "a session cookie: the CLI's login"}}}
schemas["Login"] = {"type": "object", "properties": {
    "user": {"type": "string"}, "displayName": {"type": "string"}, "admin": {"type": "boolean"},
    "source": {"type": "string", "enum": ["local", "ldap"]}, "groups": STR_LIST,
    "mustChangePassword": {"type": "boolean", "description": "only POST /api/v1/me/password, GET /api/v1/me and "
                                                              "logout work until the password is changed"},
    "csrfToken": {"type": "string", "description": "session logins: send it in X-CSRF-Token on every call that is "
                                                   "not GET or HEAD"},
    "expiresAt": {"type": "string", "format": "date-time"},
    "idleTimeoutSeconds": {"type": "integer"},
    "token": {"type": "string", "description": "tokenName logins: the secret, shown only here"},
    "tokenId": {"type": "string"}}}
schemas["PasswordChange"] = {"type": "object", "required": ["currentPassword", "newPassword"], "properties": {
    "currentPassword": {"type": "string", "format": "password", "writeOnly": True},
    "newPassword": {"type": "string", "format": "password", "writeOnly": True, "minLength": 12}}}
schemas["PasswordSet"] = {"type": "object", "required": ["password"], "properties": {
    "password": {"type": "string", "format": "password", "writeOnly": True, "minLength": 12}}}
schemas["PasswordChanged"] = {"type": "object", "properties": {
    "user": {"type": "string"}, "mustChangePassword": {"type": "boolean"}}}
schemas["TokenInfo"] = {"type": "object", "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "user": {"type": "string"}, "createdAt": TIME,
    "expiresAt": {"type": "string", "description": "RFC 3339; empty: never"}}}
schemas["TokenRequest"]["properties"]["ttl"] = {"type": "string", "example": "30d",
                                                "description": "lifetime instead of expiresAt: 3600s, 90m, 12h, 30d"}
schemas["User"]["properties"]["password"] = {
    "type": "string", "format": "password", "writeOnly": True, "minLength": 12,
    "description": "optional local password; the user must change it at the first login"}
schemas["Me"]["properties"]["source"] = {"type": "string", "enum": ["local", "ldap"]}
schemas["User"]["properties"]["source"] = {
    "type": "string", "enum": ["local", "ldap"], "readOnly": True,
    "description": "ldap: a company directory account, whose password Wharf does not set"}
schemas["Me"]["properties"]["mustChangePassword"] = {"type": "boolean"}
parameters["token"] = path_param("token", "API token id (from the token list)", {"type": "string"})
NO_BODY = {"type": "string"}
login_op = op("Log in with a user name and password: a console session cookie (wharf_session, HttpOnly, "
              "SameSite=Strict) and its CSRF token, or with tokenName an expiring API token for the CLI", 200,
              ref("Login"), ref("LoginRequest"), errors=(400, 401, 429, 503))
login_op["security"] = []
paths["/api/v1/login"] = {"post": login_op}
paths["/api/v1/logout"] = {"post": op("End the console session of this request", 204, NO_BODY, errors=(401, 403))}
paths["/api/v1/me/password"] = {"post": op("Change your own password (other sessions of yours end)", 200,
                                           ref("PasswordChanged"), ref("PasswordChange"), errors=(400, 401, 403, 409))}
paths["/api/v1/me/tokens"]["get"] = op("Your API tokens (never their secrets)", 200, ITEMS("TokenInfo"),
                                       errors=(401,))
paths["/api/v1/me/tokens/{token}"] = {"delete": op("Revoke one of your API tokens", 204, NO_BODY, params=("token",),
                                                   errors=(401, 403, 404))}
paths["/api/v1/users/{user}/password"] = {"put": op("Set a user's local password; they must change it at their "
                                                    "next login", 200, ref("PasswordChanged"), ref("PasswordSet"),
                                                    params=("user",), errors=(400, 401, 403, 404))}
paths["/api/v1/users/{user}/tokens"]["get"] = op("A user's API tokens (never their secrets)", 200, ITEMS("TokenInfo"),
                                                 params=("user",), errors=(401, 403, 404))
paths["/api/v1/users/{user}/tokens/{token}"] = {"delete": op("Revoke a user's API token", 204, NO_BODY,
                                                             params=("user", "token"), errors=(401, 403, 404))}
paths["/api/v1/users/{user}"] = {
    "get": op("One user", 200, ref("User"), params=("user",), errors=(401, 403, 404)),
    "patch": op("Change a user's display name or administrator flag", 200, ref("User"), ref("UserPatch"),
                params=("user",), errors=(400, 401, 403, 404, 409)),
    "delete": op("Delete a user: their tokens, sessions and project memberships end at once", 200,
                 {"type": "object", "properties": {"name": {"type": "string"}}}, params=("user",),
                 errors=(401, 403, 404, 409))}
schemas["UserPatch"] = {"type": "object", "properties": {
    "displayName": {"type": "string"}, "admin": {"type": "boolean"}}}
paths["/api/v1/groups"] = {"get": op(
    "Directory groups that project memberships name, with those memberships", 200,
    {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {
        "type": "object", "properties": {"name": {"type": "string"},
                                         "memberships": {"type": "array", "items": ref("Member")}}}}}},
    errors=(401, 403))}
schemas["Error"]["properties"]["error"]["properties"]["code"]["enum"] += ["csrf", "password_change_required",
                                                                         "rate_limited"]

# ---- Config centre (issue 6): drafts, versions, diff, import/export, copy, search. ----------------------------
CFG = base + "/config"
CONFIG_TYPE = {"type": "string", "enum": ["string", "int", "bool", "json", "yaml", "properties", "text"]}
CONFIG_FORMAT = {"type": "string", "enum": ["properties", "env", "yaml", "json"]}
schemas["ConfigItem"] = {"type": "object", "required": ["key"], "properties": {
    "key": {"type": "string", "description": "DATABASE_URL or db.pool.size for scalars; a file name for files"},
    "value": {"type": "string", "description": "\"******\" for secrets unless revealed; sending it back keeps the "
                                               "stored value"},
    "type": {**CONFIG_TYPE, "default": "string"}, "comment": {"type": "string"},
    "secret": {"type": "boolean", "default": False},
    "validation": {"type": "object", "properties": {
        "regex": {"type": "string"}, "min": {"type": "integer"}, "max": {"type": "integer"}}}}}
schemas["ConfigChange"] = {"type": "object", "properties": {
    "key": {"type": "string"}, "change": {"type": "string", "enum": ["added", "removed", "changed"]},
    "fields": STR_LIST, "secret": {"type": "boolean", "description": "no values are shown"},
    "oldValue": {"type": "string"}, "newValue": {"type": "string"}}}
schemas["ConfigProblem"] = {"type": "object", "properties": {
    "field": {"type": "string", "example": "items[3].value"}, "key": {"type": "string"},
    "message": {"type": "string"}}}
schemas["ConfigDraft"] = {"type": "object", "properties": {
    "project": NAME, "app": NAME, "environment": NAME, "baseVersion": {"type": "integer"},
    "resourceVersion": RV, "updatedBy": {"type": "string"}, "updatedAt": TIME,
    "items": {"type": "array", "items": ref("ConfigItem")},
    "changes": {"type": "array", "items": ref("ConfigChange"), "description": "since baseVersion"},
    "problems": {"type": "array", "items": ref("ConfigProblem"), "description": "what blocks publishing"}}}
schemas["ConfigVersion"] = {"type": "object", "properties": {
    "project": NAME, "app": NAME, "environment": NAME, "version": {"type": "integer"},
    "message": {"type": "string"}, "createdBy": {"type": "string"}, "createdAt": TIME,
    "itemCount": {"type": "integer"}, "size": {"type": "integer"}, "resourceVersion": RV,
    "items": {"type": "array", "items": ref("ConfigItem")},
    "changes": {"type": "array", "items": ref("ConfigChange")}}}
schemas["ConfigDraftPut"] = {"type": "object", "required": ["items"], "properties": {
    "items": {"type": "array", "items": ref("ConfigItem")}, "resourceVersion": RV}}
schemas["ConfigDraftPatch"] = {"type": "object", "properties": {
    "set": {"type": "array", "items": ref("ConfigItem"), "description": "fields left out keep their values"},
    "remove": STR_LIST, "resourceVersion": RV}}
schemas["ConfigPublish"] = {"type": "object", "properties": {
    "message": {"type": "string"}, "resourceVersion": RV,
    "apply": {"type": "string", "enum": ["none", "restart", "hot"], "default": "none",
              "description": "none: the next deploy takes the version; restart: a deploy release rolls the running "
                             "instances onto it (needs app.deploy); hot: config clients (live long poll, Apollo "
                             "clients) get it now, instances at their next release"}}}
schemas["ConfigAccessKey"] = {"type": "object", "properties": {
    "id": {"type": "integer", "format": "int64"}, "createdBy": {"type": "string"}, "createdAt": TIME,
    "secret": {"type": "string", "description": "only in the response that creates the key"}}}
schemas["ConfigImport"] = {"type": "object", "required": ["format", "text"], "properties": {
    "format": CONFIG_FORMAT, "text": {"type": "string"},
    "mode": {"type": "string", "enum": ["merge", "replace"], "default": "merge"}, "resourceVersion": RV}}
schemas["ConfigCopy"] = {"type": "object", "required": ["environment"], "properties": {
    "environment": NAME, "from": {"description": "\"draft\" or a version; default the latest version"},
    "resourceVersion": RV}}
schemas["ConfigDiff"] = {"type": "object", "properties": {
    "from": {}, "to": {}, "changes": {"type": "array", "items": ref("ConfigChange")}}}
schemas["ConfigSearchHit"] = {"type": "object", "properties": {
    "app": NAME, "environment": NAME, "key": {"type": "string"}, "type": CONFIG_TYPE, "secret": {"type": "boolean"},
    "matched": STR_LIST, "comment": {"type": "string"}, "value": {"type": "string"}}}
parameters["configVersion"] = path_param("version", "config version", {"type": "integer", "minimum": 1})
parameters["reveal"] = query("reveal", "1: show secret values (needs config.reveal)", {"type": "integer", "enum": [0, 1]})
parameters["diffFrom"] = query("from", "\"draft\" or a version (default: the draft's base version)", {"type": "string"})
parameters["diffTo"] = query("to", "\"draft\" (default) or a version", {"type": "string"})
parameters["configFormat"] = query("format", "properties (default), env, yaml or json", CONFIG_FORMAT)
parameters["exportVersion"] = query("version", "a version or \"draft\" (default: the latest)", {"type": "string"})
parameters["searchText"] = query("q", "text to find in keys, non-secret values and comments", {"type": "string"})
ERR_EDIT = (400, 401, 403, 404, 409)
paths[CFG + "/draft"] = {
    "get": op("The config draft: items (secrets masked), changes since its base version, problems", 200,
              ref("ConfigDraft"), params=REL + ("reveal",)),
    "put": op("Replace every item of the config draft (batch edit)", 200, ref("ConfigDraft"), ref("ConfigDraftPut"),
              params=REL, errors=ERR_EDIT)}
paths[CFG + "/draft/items"] = {"patch": op("Add, change or remove some items of the config draft", 200,
                                           ref("ConfigDraft"), ref("ConfigDraftPatch"), params=REL, errors=ERR_EDIT)}
paths[CFG + "/publish"] = {"post": op("Publish the draft as the next config version; 422 lists every invalid item",
                                      201, ref("ConfigVersion"), ref("ConfigPublish"), params=REL,
                                      errors=ERR_EDIT + (422,))}
paths[CFG + "/versions"] = {"get": op("Published config versions, newest first", 200, page("ConfigVersion"),
                                      params=REL + LIST)}
paths[CFG + "/versions/{version}"] = {"get": op("One config version with its items", 200, ref("ConfigVersion"),
                                                params=REL + ("configVersion", "reveal"))}
paths[CFG + "/diff"] = {"get": op("Changes between two config versions or a version and the draft (?from=&to=)",
                                  200, ref("ConfigDiff"), params=REL + ("diffFrom", "diffTo"))}
paths[CFG + "/import"] = {"post": op("Import .properties, .env, YAML or JSON text into the draft", 200,
                                     ref("ConfigDraft"), ref("ConfigImport"), params=REL + ("dryRun", "reveal"),
                                     errors=ERR_EDIT)}
paths[CFG + "/export"] = {"get": op("Export a config version's scalar items as .properties, .env, YAML or JSON", 200,
                                    TEXT, params=REL + ("configFormat", "exportVersion", "reveal"),
                                    content="text/plain")}
paths[CFG + "/copy-to"] = {"post": op("Copy this environment's config into another environment's draft", 200,
                                      ref("ConfigDraft"), ref("ConfigCopy"), params=REL + ("dryRun",),
                                      errors=ERR_EDIT)}
paths["/api/v1/projects/{project}/config/search"] = {"get": op(
    "Search the project's config drafts by key, non-secret value and comment (?q=); only environments where the "
    "caller holds config.read", 200, page("ConfigSearchHit"), params=(P, "searchText") + LIST)}
parameters["liveAfter"] = query("after", "the live version the client has: wait until it is another (long poll)",
                                {"type": "integer", "minimum": 0})
parameters["liveWait"] = query("wait", "how long a long poll waits (default 30s, at most 120s)", {"type": "string"})
parameters["accessKey"] = path_param("id", "access key id", {"type": "integer", "format": "int64"})
live_op = op("The version config clients should have now; ?after=N waits (long poll) until it is not N, 304 after "
             "?wait=", 200, ref("ConfigVersion"), params=REL + ("liveAfter", "liveWait", "reveal"))
live_op["responses"]["304"] = {"description": "the long poll waited and the live version did not change"}
paths[CFG + "/live"] = {"get": live_op}
paths[CFG + "/access-keys"] = {
    "get": op("Access keys of the Apollo-compatible API (no secrets)", 200,
              {"type": "object", "properties": {"items": {"type": "array", "items": ref("ConfigAccessKey")}}},
              params=REL),
    "post": op("Create an access key for the Apollo-compatible API (the secret is shown once)", 201,
               ref("ConfigAccessKey"), params=REL, errors=(401, 403, 404, 503))}
paths[CFG + "/access-keys/{id}"] = {"delete": op("Revoke an access key", 204, TEXT, params=REL + ("accessKey",))}
del paths[CFG + "/access-keys/{id}"]["delete"]["responses"]["204"]["content"]
schemas["Error"]["properties"]["error"]["properties"]["code"]["enum"] += ["invalid_config"]

# Apollo's client API (src/api/routes_apollo.cpp): signed with an access key instead of a token.
APOLLO = "/apollo/{project}/{env}"
SIGNED = ("Signed with an access key as Apollo's clients sign: Authorization: Apollo {appId}:{base64 "
          "HMAC-SHA1(secret, Timestamp + \"\\n\" + path?query)} and Timestamp: milliseconds, within 60 s.")
parameters["apolloAppId"] = path_param("appId", "Apollo appId: the Wharf app's name")
parameters["apolloCluster"] = path_param("cluster", "Apollo cluster: accepted and echoed (usually default)")
parameters["apolloNamespace"] = path_param(
    "namespace", "application (scalar items), X (the properties file item X.properties) or a file item's name")
parameters["apolloReleaseKey"] = query("releaseKey", "the releaseKey the client has: 304 when current", {"type": "string"})
parameters["apolloQueryAppId"] = query("appId", "Apollo appId: the Wharf app's name", {"type": "string"})
parameters["apolloQueryCluster"] = query("cluster", "Apollo cluster (default: default)", {"type": "string"})
parameters["apolloNotifications"] = query(
    "notifications", "JSON array of {namespaceName, notificationId} (-1: none yet)", {"type": "string"})
NS = (P, E, "apolloAppId", "apolloCluster", "apolloNamespace")
OBJ = {"type": "object"}


def apollo(summary, ok_schema, params, not_modified=None, content="application/json", errors=(401, 404)):
    o = op(summary, 200, ok_schema, params=params, errors=errors, content=content)
    o["security"] = []
    o["description"] = SIGNED
    if not_modified:
        o["responses"]["304"] = {"description": not_modified}
    return {"get": o}


paths[APOLLO + "/services/config"] = {"get": {**op("Apollo meta server: the config service address (this one)", 200,
                                                   {"type": "array", "items": OBJ}, params=(P, E), errors=()),
                                              "security": []}}
paths[APOLLO + "/configs/{appId}/{cluster}/{namespace}"] = apollo(
    "Apollo: one namespace with its releaseKey (304 when unchanged); access-key signature", OBJ,
    NS + ("apolloReleaseKey",), "the client's releaseKey is current")
paths[APOLLO + "/configfiles/json/{appId}/{cluster}/{namespace}"] = apollo(
    "Apollo: one namespace as a flat JSON object; access-key signature", OBJ, NS)
paths[APOLLO + "/configfiles/{appId}/{cluster}/{namespace}"] = apollo(
    "Apollo: one namespace as properties text; access-key signature", TEXT, NS, content="text/plain")
paths[APOLLO + "/notifications/v2"] = apollo(
    "Apollo: long poll (60 s) for changed namespaces, 304 when none; access-key signature",
    {"type": "array", "items": OBJ}, (P, E, "apolloQueryAppId", "apolloQueryCluster", "apolloNotifications"),
    "nothing changed while the request was held", errors=(400, 401, 404))
# ---- end of the config centre -----------------------------------------------------------------------------------

doc = {
    "openapi": "3.0.3",
    "info": {"title": "Wharf API", "version": "v1",
             "description": "Deploy, upgrade, roll back, scale and observe applications. Every /api/v1 call needs "
                            "`Authorization: Bearer TOKEN` or a console session cookie from POST /api/v1/login "
                            "(which itself needs neither)."},
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}],
    "paths": paths,
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": schemas, "parameters": parameters,
        "responses": {"Error": {"description": "error", "content": {"application/json": {"schema": ref("Error")}}}},
    },
}
for p in ("/healthz", "/readyz", "/metrics"):
    doc["paths"][p]["get"]["security"] = []
# The console's alternative to a bearer token: the session cookie of POST /api/v1/login (calls other than GET
# and HEAD also need its csrfToken in the X-CSRF-Token header).
doc["components"]["securitySchemes"]["session"] = {
    "type": "apiKey", "in": "cookie", "name": "wharf_session",
    "description": "from POST /api/v1/login; mutating calls also send X-CSRF-Token"}
doc["security"] = [{"bearer": []}, {"session": []}]
out = pathlib.Path(__file__).resolve().parent.parent / "src/api/openapi.json"
out.write_text(json.dumps(doc, indent=1) + "\n")
print(f"wrote {out}")
