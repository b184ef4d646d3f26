// What a path inside a layer tar means: the checks that keep an entry inside its layer, and the OCI
// whiteout names (".wh.NAME" removes NAME of the layers below; ".wh..wh..opq" hides everything the layers
// below have in its directory). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wharf {

// The overlayfs form Wharf stores whiteouts in, so that unpacked layers stack as overlayfs lowerdirs:
// a whiteout is a 0/0 character device, an opaque directory carries this xattr with value "y".
inline constexpr const char* kOverlayOpaqueXattr = "trusted.overlay.opaque";

// `path` normalised relative to the layer root ("./usr//bin/" -> "usr/bin"; "./" -> ""; a leading '/' is
// dropped as tar does), or nullopt when it has a ".." component and so could leave the layer.
std::optional<std::string> layer_entry_path(std::string_view path);

struct WhiteoutMark {
  enum Kind { kNone, kWhiteout, kOpaque };
  Kind kind = kNone;
  std::string target;  // kWhiteout: the path removed; kOpaque: the directory made opaque ("" = root)
};

// Classifies a normalised entry path (see layer_entry_path).
WhiteoutMark classify_whiteout(std::string_view path);

}  // namespace wharf
