#include "store/sqlite/spec_cache.h"

#include <mutex>
#include <utility>

#include "core/json_codec.h"

namespace wharf::sqlite {

Result<AppSpec> SpecCache::decode(std::string_view text) {
  {
    std::shared_lock lock(mu_);
    if (auto it = specs_.find(text); it != specs_.end()) return it->second;
  }
  auto spec = json_codec::spec_from_text(text);
  if (!spec) return spec;
  std::unique_lock lock(mu_);
  // Crude but bounded: the working set (current apps and recent releases) refills it quickly.
  if (specs_.size() >= capacity_) specs_.clear();
  specs_.emplace(std::string(text), *spec);
  return spec;
}

}  // namespace wharf::sqlite
