// An app's state in each environment (the "status" object of GET app), as a table for people.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <ostream>

namespace wharf::cli {

// ENVIRONMENT REVISION KIND STATUS IMAGE READY REASON, one row per environment the app was released
// to; a line saying so when there is none.
void print_status_table(std::ostream& out, const nlohmann::json& app);

}  // namespace wharf::cli
