#include "image/manifest.h"

#include <nlohmann/json.hpp>

#include "image/image_reference.h"

namespace wharf {
namespace {

using nlohmann::json;

Error bad(const std::string& why) {
  return Error::invalid("image", why);
}

std::string string_at(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> strings_at(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

Result<Descriptor> descriptor(const json& j, const char* what) {
  if (!j.is_object()) return fail(bad(std::string("the manifest's ") + what + " is not an object"));
  Descriptor d;
  d.media_type = string_at(j, "mediaType");
  d.digest = string_at(j, "digest");
  if (auto it = j.find("size"); it != j.end() && it->is_number_integer()) d.size = it->get<int64_t>();
  if (!is_sha256_digest(d.digest))
    return fail(bad(std::string("the manifest's ") + what + " has an unsupported digest \"" + d.digest +
                    "\" (only sha256 is supported)"));
  if (auto p = j.find("platform"); p != j.end() && p->is_object()) {
    d.os = string_at(*p, "os");
    d.architecture = string_at(*p, "architecture");
    d.variant = string_at(*p, "variant");
  }
  return d;
}

}  // namespace

std::string manifest_accept_header() {
  return std::string(media_type::kOciIndex) + ", " + std::string(media_type::kDockerList) + ", " +
         std::string(media_type::kOciManifest) + ", " + std::string(media_type::kDockerManifest);
}

Result<ParsedManifest> parse_manifest(std::string_view content_type, std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(bad("the registry sent a manifest that is not JSON"));
  ParsedManifest m;
  std::string_view type = content_type.substr(0, content_type.find(';'));
  std::string body_type = string_at(j, "mediaType");
  m.media_type =
      (type.empty() || type == "application/json" || type == "text/plain") ? body_type : std::string(type);
  if (m.media_type.empty()) {  // an OCI document without mediaType: tell index from manifest by shape
    m.media_type = std::string(j.contains("manifests") ? media_type::kOciIndex : media_type::kOciManifest);
  }
  if (m.media_type.starts_with("application/vnd.docker.distribution.manifest.v1") ||
      j.value("schemaVersion", 0) == 1)
    return fail(
        bad("the image uses the Docker schema 1 manifest format, which Wharf does not support; "
            "push it again with a current Docker or buildah"));
  if (m.media_type == media_type::kOciIndex || m.media_type == media_type::kDockerList) {
    m.is_index = true;
    auto it = j.find("manifests");
    if (it == j.end() || !it->is_array()) return fail(bad("the image index has no \"manifests\" list"));
    for (const auto& entry : *it) {
      auto d = descriptor(entry, "index entry");
      if (!d) return fail(d.error());
      m.manifests.push_back(std::move(*d));
    }
    return m;
  }
  if (m.media_type != media_type::kOciManifest && m.media_type != media_type::kDockerManifest)
    return fail(bad("the registry sent a manifest of unsupported type \"" + m.media_type + "\""));
  auto config = j.find("config");
  if (config == j.end()) return fail(bad("the image manifest has no config"));
  auto c = descriptor(*config, "config");
  if (!c) return fail(c.error());
  m.config = std::move(*c);
  auto layers = j.find("layers");
  if (layers == j.end() || !layers->is_array()) return fail(bad("the image manifest has no \"layers\" list"));
  for (const auto& entry : *layers) {
    auto d = descriptor(entry, "layer");
    if (!d) return fail(d.error());
    m.layers.push_back(std::move(*d));
  }
  return m;
}

Result<Descriptor> select_platform(const ParsedManifest& index, std::string_view os, std::string_view arch) {
  std::string have;
  for (const auto& d : index.manifests) {
    if (d.os == os && d.architecture == arch) return d;
    if (d.os.empty() && d.architecture.empty()) continue;  // attestations and other non-images
    have +=
        (have.empty() ? "" : ", ") + d.os + "/" + d.architecture + (d.variant.empty() ? "" : "/" + d.variant);
  }
  return fail(bad("the image has no " + std::string(os) + "/" + std::string(arch) +
                  " variant (it has: " + (have.empty() ? "none" : have) + ")"));
}

Result<std::string> layer_compression(std::string_view media_type) {
  if (media_type == "application/vnd.docker.image.rootfs.diff.tar.gzip" ||
      media_type == "application/vnd.oci.image.layer.v1.tar+gzip")
    return std::string("gzip");
  if (media_type == "application/vnd.oci.image.layer.v1.tar+zstd") return std::string("zstd");
  if (media_type == "application/vnd.oci.image.layer.v1.tar") return std::string();
  if (media_type.find("foreign") != std::string_view::npos ||
      media_type.find("nondistributable") != std::string_view::npos)
    return fail(bad("the image has a non-distributable (foreign) layer, which Wharf cannot download"));
  return fail(bad("the image has a layer of unsupported type \"" + std::string(media_type) + "\""));
}

Result<ParsedImageConfig> parse_image_config(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(bad("the image config is not a JSON object"));
  ParsedImageConfig out;
  out.os = string_at(j, "os");
  out.architecture = string_at(j, "architecture");
  if (auto rootfs = j.find("rootfs"); rootfs != j.end() && rootfs->is_object())
    out.diff_ids = strings_at(*rootfs, "diff_ids");
  auto c = j.find("config");
  if (c == j.end() || !c->is_object()) return out;  // an image without defaults is valid
  out.config.entrypoint = strings_at(*c, "Entrypoint");
  out.config.cmd = strings_at(*c, "Cmd");
  out.config.env = strings_at(*c, "Env");
  out.config.user = string_at(*c, "User");
  out.config.working_dir = string_at(*c, "WorkingDir");
  if (auto ports = c->find("ExposedPorts"); ports != c->end() && ports->is_object())
    for (const auto& [port, _] : ports->items()) out.config.exposed_ports.push_back(port);
  return out;
}

}  // namespace wharf
