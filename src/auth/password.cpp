#include "auth/password.h"

#include <argon2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "util/crypto.h"

namespace wharf {
namespace {

constexpr size_t kMinLength = 12;
constexpr size_t kMaxBytes = 1024;
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

// Passwords of 12 or more characters that lists of leaked passwords start with.
constexpr std::array<std::string_view, 24> kCommon = {
    "123456789012",     "1234567890123", "12345678901234",   "123456789123",  "qwertyuiopas",  "qwerty123456",
    "password1234",     "password123!",  "passwordpassword", "password12345", "administrator", "letmein12345",
    "welcome12345",     "changeme1234",  "iloveyou1234",     "abc123456789",  "1q2w3e4r5t6y",  "qazwsxedcrfv",
    "trustno1trustno1", "admin1234567",  "administrator1",   "wharfwharf12",  "passw0rd1234",  "p@ssw0rd1234",
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Characters, not bytes: UTF-8 continuation bytes do not count.
size_t characters(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

Status check_password_rules(std::string_view password, std::string_view user, const std::string& field) {
  if (characters(password) < kMinLength)
    return fail(Error::invalid(field, "the password must have at least " + std::to_string(kMinLength) +
                                          " characters; a few unrelated words make a good one"));
  if (password.size() > kMaxBytes)
    return fail(
        Error::invalid(field, "the password must have at most " + std::to_string(kMaxBytes) + " bytes"));
  const std::string low = lower(password);
  if (!user.empty()) {
    // The name itself, or the name with a few characters around it ("alice2024!").
    std::string rest = low;
    const std::string name = lower(user);
    for (auto at = rest.find(name); at != std::string::npos; at = rest.find(name))
      rest.erase(at, name.size());
    if (rest.size() < kMinLength - 4)
      return fail(Error::invalid(field, "the password must not be the user name or little more than it"));
  }
  if (std::all_of(password.begin(), password.end(), [&](char c) { return c == password.front(); }))
    return fail(Error::invalid(field, "the password must not be one character repeated"));
  if (std::find(kCommon.begin(), kCommon.end(), low) != kCommon.end())
    return fail(Error::invalid(field, "this password is on the lists attackers try first; choose another"));
  return {};
}

PasswordHasher::PasswordHasher(PasswordHashParams params, int concurrency)
    : params_(params), slots_(std::clamp(concurrency, 1, 8)) {
  auto dummy = hash(random_hex(16));
  if (!dummy) std::abort();  // argon2 cannot hash at all: nothing here can work
  dummy_ = std::move(*dummy);
}

Result<std::string> PasswordHasher::hash(std::string_view password) {
  std::string salt_hex = random_hex(kSaltBytes);
  std::string salt(kSaltBytes, '\0');
  for (size_t i = 0; i < kSaltBytes; ++i)
    salt[i] = static_cast<char>(std::stoi(salt_hex.substr(2 * i, 2), nullptr, 16));
  std::string encoded(argon2_encodedlen(params_.time_cost, params_.memory_kib, params_.parallelism,
                                        kSaltBytes, kHashBytes, Argon2_id),
                      '\0');
  slots_.acquire();
  int rc = argon2id_hash_encoded(params_.time_cost, params_.memory_kib, params_.parallelism, password.data(),
                                 password.size(), salt.data(), salt.size(), kHashBytes, encoded.data(),
                                 encoded.size());
  slots_.release();
  if (rc != ARGON2_OK)
    return fail(Error::internal(std::string("cannot hash the password: ") + argon2_error_message(rc)));
  encoded.resize(encoded.find('\0') == std::string::npos ? encoded.size() : encoded.find('\0'));
  return encoded;
}

bool PasswordHasher::verify(std::string_view password, std::string_view encoded) {
  if (!encoded.starts_with("$argon2id$")) return false;
  const std::string text(encoded);  // argon2 wants a NUL-terminated string
  slots_.acquire();
  int rc = argon2id_verify(text.c_str(), password.data(), password.size());
  slots_.release();
  return rc == ARGON2_OK;
}

void PasswordHasher::verify_dummy(std::string_view password) {
  (void)verify(password, dummy_);
}

}  // namespace wharf
