#include "image/image_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <sstream>
#include <thread>

#include "image/layer_unpacker.h"
#include "image/manifest.h"
#include "net/http_client.h"
#include "util/crypto.h"

namespace wharf {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kOs = "linux";
constexpr std::string_view kArch = "amd64";

std::string hex_of(const std::string& digest) {
  return digest.substr(digest.find(':') + 1);
}

Error fs_error(const std::string& doing, const std::error_code& ec) {
  return Error::internal(doing + ": " + ec.message());
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `data` to a temporary file beside `path` and renames it over `path`: readers see all or nothing.
Status write_file_atomic(const fs::path& path, const std::string& data) {
  fs::path tmp = path;
  tmp += ".tmp." + random_hex(6);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << data;
    out.flush();
    if (!out) return fail(Error::internal("cannot write " + tmp.string()));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return fail(fs_error("cannot rename into " + path.string(), ec));
  }
  return {};
}

// Bytes of the regular files under `path` (what deleting it frees, without counting block rounding).
uint64_t tree_size(const fs::path& path) {
  std::error_code ec;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return 0;
  if (!S_ISDIR(st.st_mode)) return S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
  uint64_t total = 0;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
    if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode))
      total += static_cast<uint64_t>(st.st_size);
  return total;
}

std::vector<fs::path> list_dir(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) out.push_back(it->path());
  return out;
}

json encode_config(const ImageConfig& c) {
  return {{"entrypoint", c.entrypoint},
          {"cmd", c.cmd},
          {"env", c.env},
          {"user", c.user},
          {"workingDir", c.working_dir},
          {"exposedPorts", c.exposed_ports}};
}

ImageConfig decode_config(const json& j) {
  ImageConfig c;
  c.entrypoint = j.value("entrypoint", std::vector<std::string>{});
  c.cmd = j.value("cmd", std::vector<std::string>{});
  c.env = j.value("env", std::vector<std::string>{});
  c.user = j.value("user", "");
  c.working_dir = j.value("workingDir", "");
  c.exposed_ports = j.value("exposedPorts", std::vector<std::string>{});
  return c;
}

}  // namespace

struct ImageStore::Impl {
  ImageStoreOptions options;
  fs::path root;
  net::HttpClient http;

  std::shared_mutex gc_mu;  // pulls share it; garbage collection takes it alone
  std::mutex mu;
  std::map<std::string, std::shared_future<Result<PreparedImage>>> pulls;  // by normalised reference; mu
  std::map<std::string, std::shared_future<Status>> layer_pulls;           // by layer digest; mu

  std::atomic<uint64_t> blobs_downloaded{0}, bytes_downloaded{0}, layers_unpacked{0};

  fs::path layer_dir(const std::string& digest) const { return root / "layers" / hex_of(digest); }
  fs::path record_path(const std::string& digest) const {
    return root / "images" / (hex_of(digest) + ".json");
  }
  fs::path tag_path(const ImageReference& ref) const { return root / "tags" / sha256_hex(ref.str()); }
  fs::path partial_path(const std::string& digest) const { return root / "partial" / hex_of(digest); }

  Result<RegistryClient> client() {
    auto config = load_registry_config(options.auth_file);
    if (!config) return fail(config.error());
    return Result<RegistryClient>(tl::in_place, http, std::move(*config));
  }

  // The stored image of manifest `digest`, or nullopt.
  std::optional<PreparedImage> load_record(const std::string& digest, const ImageReference& ref) const {
    auto text = read_file(record_path(digest));
    if (!text) return std::nullopt;
    json j = json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    PreparedImage image;
    image.reference = ref.str();
    image.digest = digest;
    for (const auto& layer : j.value("layers", std::vector<std::string>{})) {
      if (!fs::is_directory(layer_dir(layer))) return std::nullopt;  // removed behind our back: pull again
      image.layers.push_back(layer_dir(layer).string());
    }
    image.config = decode_config(j.value("config", json::object()));
    return image;
  }

  void remember_tag(const ImageReference& ref, const std::string& digest) {
    if (ref.digest.empty()) (void)write_file_atomic(tag_path(ref), digest);
  }

  // Downloads a small blob (the image config) whole and returns its verified content.
  Result<std::string> fetch_small_blob(RegistryClient& client, const ImageReference& ref,
                                       const std::string& digest) {
    auto partial = partial_path(digest);
    auto n = client.download_blob(ref, digest, partial.string());
    if (!n) return fail(n.error());
    blobs_downloaded++;
    bytes_downloaded += *n;
    auto text = read_file(partial);
    std::error_code ec;
    fs::remove(partial, ec);
    if (!text) return fail(Error::internal("cannot read " + partial.string()));
    return *text;
  }

  Status download_and_unpack(RegistryClient& client, const ImageReference& ref, const std::string& digest) {
    auto partial = partial_path(digest);
    auto n = client.download_blob(ref, digest, partial.string());
    if (!n) return fail(n.error());
    blobs_downloaded++;
    bytes_downloaded += *n;
    fs::path tmp = root / "tmp" / (hex_of(digest) + "." + random_hex(6));
    std::error_code ec;
    fs::create_directory(tmp, ec);
    if (ec) return fail(fs_error("cannot create " + tmp.string(), ec));
    ::chmod(tmp.c_str(), 0755);  // the layer root is the container's "/" where it is the top layer
    if (auto s = unpack_layer(partial.string(), tmp.string()); !s) {
      fs::remove_all(tmp, ec);
      if (s.error().code == ErrorCode::kInvalid) fs::remove(partial, ec);  // a bad blob: do not resume it
      return fail(Error{s.error().code, "image " + ref.str() + ": " + s.error().message, s.error().field});
    }
    fs::rename(tmp, layer_dir(digest), ec);
    if (ec && fs::is_directory(layer_dir(digest))) {  // another process unpacked it meanwhile
      fs::remove_all(tmp, ec);
      ec.clear();
    }
    if (ec) return fail(fs_error("cannot move the unpacked layer into " + layer_dir(digest).string(), ec));
    fs::remove(partial, ec);
    layers_unpacked++;
    return {};
  }

  // Makes layer `digest` present; a layer another pull is fetching is waited for, not fetched twice.
  Status ensure_layer(RegistryClient& client, const ImageReference& ref, const std::string& digest) {
    std::promise<Status> promise;
    {
      std::unique_lock lock(mu);
      if (fs::is_directory(layer_dir(digest))) return {};
      if (auto it = layer_pulls.find(digest); it != layer_pulls.end()) {
        auto pending = it->second;
        lock.unlock();
        return pending.get();
      }
      layer_pulls.emplace(digest, promise.get_future().share());
    }
    auto status = download_and_unpack(client, ref, digest);
    promise.set_value(status);
    std::lock_guard lock(mu);
    layer_pulls.erase(digest);
    return status;
  }

  // Runs ensure_layer for every layer, `parallel_downloads` at a time. The first failure (in layer
  // order) is returned once all workers stopped.
  Status ensure_layers(RegistryClient& client, const ImageReference& ref,
                       const std::vector<Descriptor>& layers) {
    std::vector<Status> results(layers.size());
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    auto work = [&] {
      for (size_t i; !failed && (i = next++) < layers.size();) {
        results[i] = ensure_layer(client, ref, layers[i].digest);
        if (!results[i]) failed = true;
      }
    };
    size_t workers =
        std::min<size_t>(layers.size(), static_cast<size_t>(std::max(1, options.parallel_downloads)));
    std::vector<std::thread> threads;
    for (size_t i = 1; i < workers; ++i) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
    for (auto& r : results)
      if (!r) return r;
    return {};
  }

  Result<PreparedImage> pull(const ImageReference& ref) {
    std::shared_lock gc_lock(gc_mu);
    if (!ref.digest.empty())
      if (auto stored = load_record(ref.digest, ref)) return *stored;
    auto client_or = client();
    if (!client_or) return fail(client_or.error());
    auto& client = *client_or;
    auto fetched = client.get_manifest(ref, ref.manifest_reference());
    if (!fetched) {
      if (fetched.error().code == ErrorCode::kUnavailable && ref.digest.empty())
        if (auto digest = read_file(tag_path(ref)))
          if (auto stored = load_record(*digest, ref)) return *stored;  // registry down: the last resolution
      return fail(fetched.error());
    }
    auto manifest = parse_manifest(fetched->media_type, fetched->body);
    if (!manifest)
      return fail(Error::invalid("image", "image " + ref.str() + ": " + manifest.error().message));
    std::string digest = fetched->digest;
    if (manifest->is_index) {
      auto entry = select_platform(*manifest, kOs, kArch);
      if (!entry) return fail(Error::invalid("image", "image " + ref.str() + ": " + entry.error().message));
      if (auto stored = load_record(entry->digest, ref)) {
        remember_tag(ref, entry->digest);
        return *stored;
      }
      fetched = client.get_manifest(ref, entry->digest);
      if (!fetched) return fail(fetched.error());
      manifest = parse_manifest(fetched->media_type, fetched->body);
      if (!manifest)
        return fail(Error::invalid("image", "image " + ref.str() + ": " + manifest.error().message));
      if (manifest->is_index)
        return fail(Error::invalid("image", "image " + ref.str() + ": an index entry is itself an index"));
      digest = entry->digest;
    }
    if (auto stored = load_record(digest, ref)) {
      remember_tag(ref, digest);
      return *stored;
    }
    for (const auto& layer : manifest->layers)
      if (auto c = layer_compression(layer.media_type); !c)
        return fail(Error::invalid("image", "image " + ref.str() + ": " + c.error().message));
    auto config_text = fetch_small_blob(client, ref, manifest->config.digest);
    if (!config_text) return fail(config_text.error());
    auto config = parse_image_config(*config_text);
    if (!config) return fail(Error::invalid("image", "image " + ref.str() + ": " + config.error().message));
    if ((!config->os.empty() && config->os != kOs) ||
        (!config->architecture.empty() && config->architecture != kArch))
      return fail(Error::invalid("image", "image " + ref.str() + " is built for " + config->os + "/" +
                                              config->architecture + ", not " + std::string(kOs) + "/" +
                                              std::string(kArch)));
    if (auto s = ensure_layers(client, ref, manifest->layers); !s) return fail(s.error());

    PreparedImage image;
    image.reference = ref.str();
    image.digest = digest;
    image.config = config->config;
    json layers = json::array();
    for (const auto& layer : manifest->layers) {
      layers.push_back(layer.digest);
      image.layers.push_back(layer_dir(layer.digest).string());
    }
    json record = {{"digest", digest},
                   {"reference", ref.str()},
                   {"layers", layers},
                   {"config", encode_config(image.config)}};
    if (auto s = write_file_atomic(record_path(digest), record.dump(2)); !s) return fail(s.error());
    remember_tag(ref, digest);
    return image;
  }
};

ImageStore::ImageStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ImageStore::~ImageStore() = default;

Result<std::unique_ptr<ImageStore>> ImageStore::open(const ImageStoreOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  std::error_code ec;
  impl->root = fs::absolute(options.root, ec);
  if (ec) return fail(fs_error("image store " + options.root, ec));
  fs::remove_all(impl->root / "tmp", ec);  // layers a crash left half unpacked
  for (const char* dir : {"layers", "images", "tags", "partial", "tmp"}) {
    fs::create_directories(impl->root / dir, ec);
    if (ec) return fail(fs_error("cannot create the image store " + (impl->root / dir).string(), ec));
  }
  ::chmod(impl->root.c_str(), 0700);
  return std::unique_ptr<ImageStore>(new ImageStore(std::move(impl)));
}

Result<PreparedImage> ImageStore::prepare(const std::string& reference) {
  auto ref = parse_image_reference(reference);
  if (!ref) return fail(ref.error());
  auto& d = *impl_;
  const std::string key = ref->str();
  std::promise<Result<PreparedImage>> promise;
  {
    std::unique_lock lock(d.mu);
    if (auto it = d.pulls.find(key); it != d.pulls.end()) {
      auto pending = it->second;
      lock.unlock();
      return pending.get();
    }
    d.pulls.emplace(key, promise.get_future().share());
  }
  auto result = d.pull(*ref);
  promise.set_value(result);
  std::lock_guard lock(d.mu);
  d.pulls.erase(key);
  return result;
}

Result<uint64_t> ImageStore::collect_garbage(const std::set<std::string>& keep) {
  auto& d = *impl_;
  std::unique_lock gc_lock(d.gc_mu);
  uint64_t freed = 0;
  std::set<std::string> used_layers, kept_digests;
  auto remove = [&](const fs::path& path) {
    freed += tree_size(path);
    std::error_code ignored;  // what cannot be removed now is tried again by the next collection
    fs::remove_all(path, ignored);
  };
  for (const auto& path : list_dir(d.root / "images")) {
    std::string digest = "sha256:" + path.stem().string();
    auto text = read_file(path);
    json j = text ? json::parse(*text, nullptr, false) : json();
    if (path.extension() != ".json" || !keep.contains(digest) || !j.is_object()) {
      remove(path);
      continue;
    }
    kept_digests.insert(digest);
    for (const auto& layer : j.value("layers", std::vector<std::string>{})) used_layers.insert(hex_of(layer));
  }
  for (const auto& path : list_dir(d.root / "layers"))
    if (!used_layers.contains(path.filename().string())) remove(path);
  for (const auto& path : list_dir(d.root / "tags"))
    if (auto digest = read_file(path); !digest || !kept_digests.contains(*digest)) remove(path);
  for (const char* dir : {"partial", "tmp"})  // no pull runs while gc_mu is held
    for (const auto& path : list_dir(d.root / dir)) remove(path);
  return freed;
}

Result<NamePage> ImageStore::list_repositories(const std::string& registry, int limit,
                                               const std::string& continue_token) {
  auto client = impl_->client();
  if (!client) return fail(client.error());
  return client->list_repositories(registry, limit, continue_token);
}

Result<NamePage> ImageStore::list_tags(const std::string& registry, const std::string& repository, int limit,
                                       const std::string& continue_token) {
  auto client = impl_->client();
  if (!client) return fail(client.error());
  return client->list_tags(registry, repository, limit, continue_token);
}

ImageStoreStats ImageStore::stats() const {
  return {impl_->blobs_downloaded.load(), impl_->bytes_downloaded.load(), impl_->layers_unpacked.load()};
}

}  // namespace wharf
