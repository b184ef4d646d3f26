// SecretBox: authenticated encryption of small secrets at rest (cluster credentials, secret config items)
// with one key per data dir.
//
// Format of a sealed value: "wsb1:" + base64url(12-byte random nonce | AES-256-GCM ciphertext | 16-byte tag).
// The version prefix lets a later key rotation or cipher change tell old values apart.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace wharf {

class SecretBox {
 public:
  // Reads the 32-byte key from `key_path`, or creates it (random, mode 0600, written atomically) when the
  // file does not exist. Fails (`internal`) when the file cannot be read or written, has another size, or
  // is readable by group or others.
  static Result<SecretBox> open(const std::string& key_path);
  // For tests: a box with the given 32-byte key.
  static Result<SecretBox> from_key(std::string key);

  // Encrypts `plaintext` with a fresh random nonce. Thread-safe (const).
  std::string seal(std::string_view plaintext) const;
  // Decrypts a value from seal(). `invalid` when it is not a sealed value, `internal` when the tag does
  // not verify (another key, or altered data). Errors never contain the secret.
  Result<std::string> unseal(std::string_view sealed) const;

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace wharf
