// Validation of the names users give to projects, environments, apps, clusters and ports.
#pragma once

#include <string_view>

#include "core/error.h"

namespace wharf {

// Project, environment, app and cluster names are DNS labels: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most
// 40 characters (API.md). Returns an `invalid` error naming `field` and saying how to fix the name.
Status validate_name(std::string_view name, std::string_view field);

// Port names follow Kubernetes' IANA_SVC_NAME: at most 15 characters, lower-case letters, digits and
// hyphens, at least one letter, no leading/trailing/double hyphen.
Status validate_port_name(std::string_view name, std::string_view field);

}  // namespace wharf
