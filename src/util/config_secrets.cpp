#include "util/config_secrets.h"

#include <utility>

#include "util/secret_box.h"

namespace wharf {

Result<std::vector<ConfigItem>> unseal_config_items(const SecretBox* box, std::vector<ConfigItem> items) {
  for (auto& i : items) {
    if (!i.secret) continue;
    if (!box) return fail(Error::unavailable("secret config values cannot be handled: no secret key"));
    auto plain = box->unseal(i.value);
    if (!plain)
      return fail(Error::internal("the secret value of config item \"" + i.key +
                                  "\" cannot be unsealed (was DATA_DIR/secret.key replaced?)"));
    i.value = std::move(*plain);
  }
  return items;
}

}  // namespace wharf
