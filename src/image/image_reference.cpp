#include "image/image_reference.h"

#include <cctype>

namespace wharf {
namespace {

bool lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// One path component: [a-z0-9]+ separated by '.', '_', '__' or '-'+ (the distribution grammar).
bool valid_component(std::string_view c) {
  if (c.empty() || !lower_alnum(c.front()) || !lower_alnum(c.back())) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    char ch = c[i];
    if (lower_alnum(ch)) continue;
    if (ch == '.' || ch == '_' || ch == '-') {
      size_t j = i;
      while (j < c.size() && !lower_alnum(c[j])) ++j;
      std::string_view sep = c.substr(i, j - i);
      bool ok =
          sep == "." || sep == "_" || sep == "__" || sep.find_first_not_of('-') == std::string_view::npos;
      if (!ok) return false;
      i = j - 1;
      continue;
    }
    return false;
  }
  return true;
}

bool valid_tag(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  if (!(std::isalnum(static_cast<unsigned char>(t[0])) || t[0] == '_')) return false;
  for (char c : t)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return false;
  return true;
}

// The first component names a registry when it has a '.' or a ':' or is "localhost" (Docker's rule).
bool looks_like_registry(std::string_view first) {
  return first.find_first_of(".:") != std::string_view::npos || first == "localhost";
}

bool valid_registry(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' ||
          c == ']'))
      return false;
  return true;
}

Error bad(std::string_view text, const std::string& why) {
  return Error::invalid("image", "image reference \"" + std::string(text) + "\" is invalid: " + why);
}

}  // namespace

bool is_sha256_digest(std::string_view digest) {
  if (!digest.starts_with("sha256:") || digest.size() != 7 + 64) return false;
  for (char c : digest.substr(7))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string ImageReference::str() const {
  std::string out = registry + "/" + repository;
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

Result<ImageReference> parse_image_reference(std::string_view text) {
  if (text.empty()) return fail(Error::invalid("image", "image reference is empty"));
  if (text.size() > 512) return fail(bad(text.substr(0, 64), "longer than 512 characters"));
  for (char c : text)
    if (std::isspace(static_cast<unsigned char>(c))) return fail(bad(text, "it contains white space"));
  ImageReference ref;
  std::string_view rest = text;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (!is_sha256_digest(ref.digest))
      return fail(bad(
          text, "the digest \"" + ref.digest + "\" must be sha256: followed by 64 lower-case hex digits"));
  }
  std::string_view name = rest;
  // A tag follows the last ':' after the last '/' (a ':' before it is the registry's port).
  auto slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.tag = std::string(rest.substr(colon + 1));
    name = rest.substr(0, colon);
    if (!valid_tag(ref.tag))
      return fail(bad(text, "the tag \"" + ref.tag +
                                "\" may contain only letters, digits, '_', '.' and '-' (at most 128)"));
  }
  auto first_slash = name.find('/');
  if (first_slash != std::string_view::npos && looks_like_registry(name.substr(0, first_slash))) {
    ref.registry = std::string(name.substr(0, first_slash));
    name = name.substr(first_slash + 1);
    if (!valid_registry(ref.registry))
      return fail(bad(text, "the registry host \"" + ref.registry + "\" is not a host name or host:port"));
  } else {
    ref.registry = "docker.io";
  }
  if (name.empty()) return fail(bad(text, "the repository name is missing"));
  size_t start = 0;
  while (start <= name.size()) {
    auto end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    auto component = name.substr(start, end - start);
    if (!valid_component(component)) {
      bool upper = false;
      for (char c : component) upper = upper || std::isupper(static_cast<unsigned char>(c));
      return fail(bad(text, "repository path component \"" + std::string(component) + "\" " +
                                (upper ? "must be lower case"
                                       : "may contain only a-z, 0-9 and single '.', '_' or '-' separators")));
    }
    start = end + 1;
  }
  if (name.size() > 255) return fail(bad(text, "the repository name is longer than 255 characters"));
  ref.repository = std::string(name);
  if (ref.registry == "docker.io" && ref.repository.find('/') == std::string::npos)
    ref.repository = "library/" + ref.repository;
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

}  // namespace wharf
