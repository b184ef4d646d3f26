// `--wait`: follow a release until it finishes.
#pragma once

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "cli/failure.h"
#include "cli/json_api.h"

namespace wharf::cli {

// Polls GET `release_path` (…/releases/{revision}) until its status is succeeded (returns the release)
// or failed (a Failure with exit 1 and the server's reason), reporting each change of status or
// readiness on stderr. Gives up with exit 3 after `timeout`. A poll the server cannot answer (5xx,
// unreachable) is retried until then; a 4xx ends the wait. Blocks.
Outcome<nlohmann::json> wait_for_release(const JsonApi& api, const std::string& release_path,
                                         std::chrono::seconds timeout);

// "2/3": ready and desired instances summed over the release's clusters.
std::string readiness(const nlohmann::json& release);

}  // namespace wharf::cli
