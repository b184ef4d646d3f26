// What the driver keeps on disk about one instance (DIR/instance.json), so that a restarted server can adopt
// it, restart it per policy, or clean it up: everything needed to (re)create its container without the
// store or the image registry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/app_spec.h"
#include "core/error.h"
#include "image/image_source.h"
#include "store/store.h"

namespace wharf::local {

struct InstanceRecord {
  std::string name;  // container id, hostname, netns and cgroup leaf
  ReleaseKey key;
  int64_t revision = 0;
  AppSpec spec;                           // of the release the instance runs
  std::optional<int64_t> config_version;  // of that release
  std::string image_digest;
  std::vector<std::string> layers;  // unpacked image layers, lowest first
  ImageConfig image;
  std::string ip;          // on the bridge, once attached
  uint64_t created = 0;    // creation order among the driver's instances
  std::string started_at;  // RFC 3339, the last start
  int restarts = 0;
  bool stopping = false;  // being removed: never restarted again
};

// Writes DIR/instance.json atomically (temporary file + rename). `internal` on I/O errors.
Status write_instance_record(const std::string& dir, const InstanceRecord& record);
// `not_found` when missing, `internal` when unreadable.
Result<InstanceRecord> read_instance_record(const std::string& dir);

}  // namespace wharf::local
