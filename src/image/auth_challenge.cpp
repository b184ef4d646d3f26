#include "image/auth_challenge.h"

#include <cctype>

namespace wharf {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void skip(std::string_view s, size_t& i, std::string_view chars) {
  while (i < s.size() && chars.find(s[i]) != std::string_view::npos) ++i;
}

}  // namespace

AuthChallenge parse_auth_challenge(std::string_view header) {
  AuthChallenge out;
  size_t i = 0;
  skip(header, i, " \t");
  size_t start = i;
  while (i < header.size() && header[i] != ' ' && header[i] != '\t') ++i;
  out.scheme = lower(header.substr(start, i - start));
  while (i < header.size()) {
    skip(header, i, " \t,");
    size_t key_start = i;
    while (i < header.size() && header[i] != '=' && header[i] != ',') ++i;
    if (i >= header.size() || header[i] != '=') break;
    std::string key = lower(header.substr(key_start, i - key_start));
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    ++i;
    skip(header, i, " \t");
    std::string value;
    if (i < header.size() && header[i] == '"') {
      ++i;
      while (i < header.size() && header[i] != '"') {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;  // quoted-pair
        value += header[i++];
      }
      ++i;  // closing quote
    } else {
      while (i < header.size() && header[i] != ',') value += header[i++];
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    }
    out.params[key] = value;
  }
  return out;
}

}  // namespace wharf
