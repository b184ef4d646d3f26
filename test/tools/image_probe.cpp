// wharf-image-probe: drives ImageStore for test/integration/test_images.py against a real registry.
// Prints one JSON object on stdout; exits 1 when any operation failed.
//   pull REF... --root DIR [--auth-file F] [--parallel N]   pulls every REF at once (one thread each):
//        {"images":[{"reference","digest","layers":[...],"config":{...}} | {"error":{...}}], "stats":{...}}
//   materialize REF --dest DIR --root DIR [--auth-file F]     prepare + materialize_rootfs
//   gc --root DIR [--keep DIGEST]...                          {"freed": N, "layers": [remaining dirs]}
//   repos REGISTRY | tags REGISTRY REPO  --root DIR [--auth-file F] [--limit N] [--continue TOKEN]
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "image/image_store.h"
#include "image/rootfs_materializer.h"

namespace {

using nlohmann::json;

json error_json(const wharf::Error& e) {
  return {{"error",
           {{"code", std::string(wharf::to_string(e.code))}, {"message", e.message}, {"field", e.field}}}};
}

json image_json(const wharf::PreparedImage& image) {
  const auto& c = image.config;
  return {{"reference", image.reference},
          {"digest", image.digest},
          {"layers", image.layers},
          {"config",
           {{"entrypoint", c.entrypoint},
            {"cmd", c.cmd},
            {"env", c.env},
            {"user", c.user},
            {"workingDir", c.working_dir},
            {"exposedPorts", c.exposed_ports}}}};
}

int print(const json& out, bool ok) {
  std::printf("%s\n", out.dump().c_str());
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: wharf-image-probe pull|materialize|gc|repos|tags ...\n");
    return 2;
  }
  std::string verb = argv[1];
  std::vector<std::string> positional, keep;
  wharf::ImageStoreOptions options;
  std::string dest, continue_token;
  int limit = 100;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--root") {
      options.root = value();
    } else if (a == "--auth-file") {
      options.auth_file = value();
    } else if (a == "--parallel") {
      options.parallel_downloads = std::stoi(value());
    } else if (a == "--dest") {
      dest = value();
    } else if (a == "--keep") {
      keep.push_back(value());
    } else if (a == "--limit") {
      limit = std::stoi(value());
    } else if (a == "--continue") {
      continue_token = value();
    } else {
      positional.push_back(a);
    }
  }
  auto store = wharf::ImageStore::open(options);
  if (!store) return print(error_json(store.error()), false);
  auto& images = **store;

  if (verb == "pull" || verb == "materialize") {
    std::vector<wharf::Result<wharf::PreparedImage>> results(positional.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < positional.size(); ++i)
      threads.emplace_back([&, i] { results[i] = images.prepare(positional[i]); });
    for (auto& t : threads) t.join();
    bool ok = true;
    json list = json::array();
    for (const auto& r : results) {
      ok = ok && r.has_value();
      list.push_back(r ? image_json(*r) : error_json(r.error()));
    }
    if (verb == "materialize" && ok && !results.empty()) {
      if (auto s = wharf::materialize_rootfs(results[0]->layers, dest); !s)
        return print(error_json(s.error()), false);
    }
    auto s = images.stats();
    return print({{"images", list},
                  {"stats",
                   {{"blobsDownloaded", s.blobs_downloaded},
                    {"bytesDownloaded", s.bytes_downloaded},
                    {"layersUnpacked", s.layers_unpacked}}}},
                 ok);
  }
  if (verb == "gc") {
    auto freed = images.collect_garbage(std::set<std::string>(keep.begin(), keep.end()));
    if (!freed) return print(error_json(freed.error()), false);
    json layers = json::array();
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(options.root) / "layers"))
      layers.push_back(e.path().filename().string());
    return print({{"freed", *freed}, {"layers", layers}}, true);
  }
  if ((verb == "repos" && positional.size() == 1) || (verb == "tags" && positional.size() == 2)) {
    auto page = verb == "repos" ? images.list_repositories(positional[0], limit, continue_token)
                                : images.list_tags(positional[0], positional[1], limit, continue_token);
    if (!page) return print(error_json(page.error()), false);
    return print({{"items", page->names}, {"continue", page->continue_token}}, true);
  }
  std::fprintf(stderr, "wharf-image-probe: unknown verb or wrong arguments\n");
  return 2;
}
