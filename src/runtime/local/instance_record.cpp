#include "runtime/local/instance_record.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/json_codec.h"

namespace wharf::local {

using json = nlohmann::json;

Status write_instance_record(const std::string& dir, const InstanceRecord& r) {
  const json j = {
      {"name", r.name},
      {"project", r.key.project},
      {"app", r.key.app},
      {"environment", r.key.environment},
      {"revision", r.revision},
      {"spec", json_codec::spec_to_text(r.spec)},
      {"configVersion", r.config_version ? nlohmann::json(*r.config_version) : nlohmann::json()},
      {"imageDigest", r.image_digest},
      {"layers", r.layers},
      {"image",
       {{"entrypoint", r.image.entrypoint},
        {"cmd", r.image.cmd},
        {"env", r.image.env},
        {"user", r.image.user},
        {"workingDir", r.image.working_dir}}},
      {"ip", r.ip},
      {"created", r.created},
      {"startedAt", r.started_at},
      {"restarts", r.restarts},
      {"stopping", r.stopping},
  };
  const std::string path = dir + "/instance.json";
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << j.dump();
    if (!f.flush()) return fail(Error::internal("cannot write " + tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return fail(Error::internal("cannot write " + path));
  return {};
}

Result<InstanceRecord> read_instance_record(const std::string& dir) {
  const std::string path = dir + "/instance.json";
  std::ifstream f(path);
  if (!f) return fail(Error::not_found("no instance record at " + path));
  std::stringstream ss;
  ss << f.rdbuf();
  try {
    const json j = json::parse(ss.str());
    InstanceRecord r;
    r.name = j.at("name").get<std::string>();
    r.key = {j.at("project").get<std::string>(), j.at("app").get<std::string>(),
             j.at("environment").get<std::string>()};
    r.revision = j.at("revision").get<int64_t>();
    auto spec = json_codec::spec_from_text(j.at("spec").get<std::string>());
    if (!spec) return fail(Error::internal(path + ": " + spec.error().message));
    r.spec = std::move(*spec);
    if (j.contains("configVersion") && j["configVersion"].is_number())
      r.config_version = j["configVersion"].get<int64_t>();
    r.image_digest = j.value("imageDigest", "");
    r.layers = j.value("layers", std::vector<std::string>{});
    const json& image = j.at("image");
    r.image.entrypoint = image.value("entrypoint", std::vector<std::string>{});
    r.image.cmd = image.value("cmd", std::vector<std::string>{});
    r.image.env = image.value("env", std::vector<std::string>{});
    r.image.user = image.value("user", "");
    r.image.working_dir = image.value("workingDir", "");
    r.ip = j.value("ip", "");
    r.created = j.value("created", uint64_t{0});
    r.started_at = j.value("startedAt", "");
    r.restarts = j.value("restarts", 0);
    r.stopping = j.value("stopping", false);
    return r;
  } catch (const json::exception& e) {
    return fail(Error::internal(path + " is damaged: " + e.what()));
  }
}

}  // namespace wharf::local
