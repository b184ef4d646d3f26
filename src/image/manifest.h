// Parsing of what a registry serves for an image: Docker schema 2 manifests and manifest lists, OCI
// manifests and indexes, and the image config blob; and the choice of the linux/amd64 entry of an index.
// Pure. Errors are `invalid` with field "image" (a registry that serves something unusable is the image's
// fault from a release's point of view).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "image/image_source.h"

namespace wharf {

namespace media_type {
inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
}  // namespace media_type

// The Accept header of manifest requests: every manifest kind this parser understands.
std::string manifest_accept_header();

struct Descriptor {
  std::string media_type;
  std::string digest;  // sha256:...
  int64_t size = -1;
  std::string os;  // platform, for the entries of an index
  std::string architecture;
  std::string variant;
};

struct ParsedManifest {
  std::string media_type;
  bool is_index = false;
  std::vector<Descriptor> manifests;  // index: one per platform
  Descriptor config;                  // image manifest
  std::vector<Descriptor> layers;     // image manifest, lowest first
};

// Parses a manifest or index. `content_type` is the response's Content-Type; the body's mediaType wins
// when the header is generic (application/json, empty). Schema 1 and unknown kinds are refused.
Result<ParsedManifest> parse_manifest(std::string_view content_type, std::string_view body);

// The entry of `index` for os/architecture (variant ignored). Error names the platforms the index has.
Result<Descriptor> select_platform(const ParsedManifest& index, std::string_view os, std::string_view arch);

// The layer compression a media type announces: "gzip", "zstd", "" (plain tar); `invalid` for a layer
// kind Wharf cannot unpack (foreign/non-distributable layers, encrypted layers, unknown types).
Result<std::string> layer_compression(std::string_view media_type);

struct ParsedImageConfig {
  ImageConfig config;
  std::string os;
  std::string architecture;
  std::vector<std::string> diff_ids;
};

// Parses the image config blob (OCI image config / Docker container image v1).
Result<ParsedImageConfig> parse_image_config(std::string_view body);

}  // namespace wharf
