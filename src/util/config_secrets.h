// Unsealing of secret config values (sealed at rest with the data dir's SecretBox), shared by the config
// API, which shows them to callers allowed to reveal them, and the release controller, which hands
// plaintext config to the runtime drivers.
#pragma once

#include <vector>

#include "core/config_item.h"
#include "core/error.h"

namespace wharf {

class SecretBox;

// `items` with every secret value unsealed with `box`. `unavailable` when an item is secret and `box` is
// null (the server has no secret key); `internal` when a value does not unseal (another key, or altered
// data). Errors name the item, never its value.
Result<std::vector<ConfigItem>> unseal_config_items(const SecretBox* box, std::vector<ConfigItem> items);

}  // namespace wharf
