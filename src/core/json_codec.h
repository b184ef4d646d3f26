// JSON forms of the domain types, as fixed by API.md (camelCase field names). Pure, no I/O.
//
// Decoders check JSON types and unknown-field-free shapes and report the JSON path of the offending
// field ("ports[0].port"); semantic checks (ranges, names) live in the validate_* functions and are
// applied by the decoders too, so a decoded value is always valid.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "core/app.h"
#include "core/cluster.h"
#include "core/environment.h"
#include "core/error.h"
#include "core/instance.h"
#include "core/project.h"
#include "core/release.h"

namespace wharf::json_codec {

using nlohmann::json;

json encode(const Project& p);
json encode(const Environment& e);
json encode(const Cluster& c);
json encode(const AppSpec& s);
json encode(const App& a);  // spec fields at top level plus project, resourceVersion, timestamps
json encode(const Release& r);
json encode(const Instance& i);

Result<Project> decode_project(const json& j);
Result<Environment> decode_environment(const json& j, std::string_view project);
Result<AppSpec> decode_app_spec(const json& j);
Result<DeployRequest> decode_deploy_request(const json& j);
Result<RollbackRequest> decode_rollback_request(const json& j);

// Parses `text` as JSON; a syntax error is `invalid` with the byte offset in the message.
Result<json> parse(std::string_view text);

// Compact text of an AppSpec, and back (the store keeps specs as JSON text). spec_from_text checks shape
// and types only, not validate_app_spec: a spec stored under older rules must stay readable.
std::string spec_to_text(const AppSpec& spec);
Result<AppSpec> spec_from_text(std::string_view text);

}  // namespace wharf::json_codec
