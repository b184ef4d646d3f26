#include "core/names.h"

#include <string>

namespace wharf {

namespace {

constexpr size_t kMaxNameLength = 40;
constexpr size_t kMaxPortNameLength = 15;

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

std::string quoted(std::string_view s) {
  // Long garbage would drown the advice in the message; show enough to recognise it.
  constexpr size_t kShown = 60;
  if (s.size() <= kShown) return "\"" + std::string(s) + "\"";
  return "\"" + std::string(s.substr(0, kShown)) + "...\"";
}

// A DNS label close to what the user typed ("My_App" -> "my-app"), to show in the message; empty when
// nothing sensible remains.
std::string suggest_label(std::string_view name, size_t max_len) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (is_lower_alnum(c)) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
    if (out.size() >= max_len) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

}  // namespace

Status validate_name(std::string_view name, std::string_view field) {
  const std::string f(field);
  if (name.empty()) {
    return fail(
        Error::invalid(f, f + " must not be empty; use lower-case letters, digits and hyphens, such as "
                              "\"web\""));
  }
  if (name.size() > kMaxNameLength) {
    return fail(Error::invalid(f, f + " " + quoted(name) + " is " + std::to_string(name.size()) +
                                      " characters long; use at most " + std::to_string(kMaxNameLength)));
  }
  bool ok = is_lower_alnum(name.front()) && is_lower_alnum(name.back());
  for (char c : name) ok = ok && (is_lower_alnum(c) || c == '-');
  if (ok) return {};
  std::string msg = f + " " + quoted(name) +
                    " is not a valid name: use only lower-case letters, digits and hyphens, starting and "
                    "ending with a letter or digit";
  if (std::string s = suggest_label(name, kMaxNameLength); !s.empty()) msg += " (for example \"" + s + "\")";
  return fail(Error::invalid(f, std::move(msg)));
}

Status validate_port_name(std::string_view name, std::string_view field) {
  const std::string f(field);
  auto bad = [&](std::string why) {
    return fail(Error::invalid(f, f + " " + quoted(name) + " is not a valid port name: " + why));
  };
  if (name.empty())
    return fail(Error::invalid(f, f + " must not be empty; use a short name such as \"http\""));
  if (name.size() > kMaxPortNameLength) {
    return bad("use at most " + std::to_string(kMaxPortNameLength) + " characters (it has " +
               std::to_string(name.size()) + ")");
  }
  bool has_letter = false;
  for (char c : name) {
    if (!is_lower_alnum(c) && c != '-') return bad("use only lower-case letters, digits and hyphens");
    has_letter = has_letter || (c >= 'a' && c <= 'z');
  }
  if (!has_letter) return bad("it needs at least one letter, such as \"http\" or \"p8080\"");
  if (name.front() == '-' || name.back() == '-') return bad("it must not start or end with a hyphen");
  if (name.find("--") != std::string_view::npos) return bad("it must not contain two hyphens in a row");
  return {};
}

}  // namespace wharf
