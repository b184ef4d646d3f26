#include "cli/status_table.h"

#include <nlohmann/json.hpp>

#include "cli/output.h"
#include "cli/table.h"

namespace wharf::cli {

void print_status_table(std::ostream& out, const nlohmann::json& app) {
  auto status = app.find("status");
  if (status == app.end() || !status->is_object() || status->empty()) {
    out << "Not released to any environment yet: `wharf deploy " << text_of(app, "name") << " -e ENV`.\n";
    return;
  }
  Table table({"ENVIRONMENT", "REVISION", "KIND", "STATUS", "IMAGE", "READY", "REASON"});
  for (const auto& [env, s] : status->items()) {
    table.add_row({env, text_of(s, "revision"), text_of(s, "kind"), text_of(s, "status"), text_of(s, "image"),
                   text_of(s, "ready") + "/" + text_of(s, "replicas"), text_of(s, "reason")});
  }
  table.print(out);
}

}  // namespace wharf::cli
