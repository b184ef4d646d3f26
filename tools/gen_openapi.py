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
                   errors=(400, 401, 403, 409, 503))},
    "/api/v1/clusters/{cluster}": {"get": op("Get a cluster", 200, ref("Cluster"), params=(C,))},
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
                                                  "progressDeadlineSeconds": {"type": "integer"}}}}
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
        "name": NAME, "type": {"type": "string", "enum": ["kubernetes"]}, "kubeconfig": {"type": "string"}}},
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
    "WatchEvent": {"type": "object", "properties": {
        "type": {"type": "string", "enum": ["ADDED", "MODIFIED", "DELETED"]},
        "kind": {"type": "string", "enum": ["project", "environment", "cluster", "app", "release", "instance"]},
        "project": {"type": "string"}, "name": {"type": "string"}, "resourceVersion": {"type": "integer"},
        "object": {"type": "object"}}},
}
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
    "kinds": query("kinds", "comma-separated kinds", {"type": "string", "example": "app,release,instance"}),
}
doc = {
    "openapi": "3.0.3",
    "info": {"title": "Wharf API", "version": "v1",
             "description": "Deploy, upgrade, roll back, scale and observe applications. Every /api/v1 call needs "
                            "`Authorization: Bearer TOKEN`."},
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
out = pathlib.Path(__file__).resolve().parent.parent / "src/api/openapi.json"
out.write_text(json.dumps(doc, indent=1) + "\n")
print(f"wrote {out}")
