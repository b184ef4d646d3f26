#include "controller/config_version_cache.h"

#include "util/config_secrets.h"

namespace wharf {

Result<std::shared_ptr<const ConfigVersion>> ConfigVersionCache::get(const ConfigKey& key, int64_t version) {
  const std::string cache_key =
      key.project + "/" + key.app + "/" + key.environment + "#" + std::to_string(version);
  {
    std::lock_guard lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->key != cache_key) continue;
      entries_.splice(entries_.begin(), entries_, it);
      return entries_.front().config;
    }
  }
  auto loaded = store_.get_config_version(key, version);
  if (!loaded) return fail(loaded.error());
  auto plain = unseal_config_items(secrets_, std::move(loaded->items));
  if (!plain) return fail(Error::invalid("config_version", plain.error().message));
  loaded->items = std::move(*plain);
  auto config = std::make_shared<const ConfigVersion>(std::move(*loaded));
  std::lock_guard lock(mu_);
  entries_.push_front({cache_key, config});
  if (entries_.size() > capacity_) entries_.pop_back();
  return config;
}

}  // namespace wharf
