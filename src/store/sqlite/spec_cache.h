// SpecCache: decoded AppSpecs by their stored JSON text, so that listing rows does not re-parse JSON.
//
// Parsing a spec with nlohmann costs ~10 us; a 100-app list would spend a millisecond on it. Keyed by the
// text itself, the cache is exact without any invalidation: decoding is a pure function of the text, and
// an updated spec is a different text. Bounded: it is emptied when it reaches `capacity` entries.
//
// Thread-safe: lookups take a shared lock, inserts an exclusive one. Never blocks on I/O.
#pragma once

#include <cstddef>
#include <functional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/app_spec.h"
#include "core/error.h"

namespace wharf::sqlite {

class SpecCache {
 public:
  explicit SpecCache(size_t capacity = 4096) : capacity_(capacity) {}

  // The spec `text` decodes to (json_codec::spec_from_text), from the cache when it was seen before.
  // A decoding error is returned and not cached.
  Result<AppSpec> decode(std::string_view text);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  const size_t capacity_;
  std::shared_mutex mu_;
  std::unordered_map<std::string, AppSpec, Hash, std::equal_to<>> specs_;
};

}  // namespace wharf::sqlite
