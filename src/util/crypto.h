// Hashing and randomness for tokens and identifiers (OpenSSL underneath).
#pragma once

#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace wharf {

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
// Incremental SHA-256 for content too large to hold in memory (image blobs). Not thread-safe.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  // Lower-case hex of everything updated so far; ends the hash (no update() afterwards).
  std::string hex_digest();

 private:
  ::evp_md_ctx_st* ctx_;
};

// Standard base64 (with padding) of HMAC-SHA1 of `data` under `key`: Apollo's request signature.
std::string hmac_sha1_base64(std::string_view key, std::string_view data);

// `bytes` bytes from the OS CSPRNG, hex-encoded (2 * bytes characters). Aborts if the CSPRNG fails.
std::string random_hex(size_t bytes);
// Constant-time equality, for comparing secrets.
bool constant_time_equal(std::string_view a, std::string_view b);

// URL-safe base64 without padding (continue tokens), and back (nullopt-like empty on bad input).
std::string base64url_encode(std::string_view data);
bool base64url_decode(std::string_view text, std::string& out);

}  // namespace wharf
