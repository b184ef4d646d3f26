// Local passwords: the rules a new password must meet, and argon2id hashing in the PHC string format
// ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"), which carries its own parameters so that stored hashes
// stay verifiable after the defaults change.
//
// Hashing costs `memory_kib` of memory and tens of milliseconds of CPU per call, so PasswordHasher bounds
// how many run at once (the server's memory budget is 64 MiB). Callers run it on a worker thread, never on
// an event-loop thread: hash() and verify() block, also while waiting for a free slot.
#pragma once

#include <cstdint>
#include <semaphore>
#include <string>
#include <string_view>

#include "core/error.h"

namespace wharf {

// `invalid` naming `field` when `password` is too short (fewer than 12 characters), too long (over 1024
// bytes), is the user's name or little more than it, is one character repeated, or is on a small list of
// passwords people pick first. The message says what to change.
Status check_password_rules(std::string_view password, std::string_view user, const std::string& field);

struct PasswordHashParams {
  uint32_t time_cost = 2;           // passes
  uint32_t memory_kib = 19 * 1024;  // 19 MiB (OWASP's argon2id baseline)
  uint32_t parallelism = 1;
};

class PasswordHasher {
 public:
  // At most `concurrency` (1..8) hashes or verifications run at the same time; others wait.
  explicit PasswordHasher(PasswordHashParams params = {}, int concurrency = 2);

  // The PHC-encoded argon2id hash of `password` with a fresh random salt. `internal` when argon2 fails
  // (out of memory).
  Result<std::string> hash(std::string_view password);

  // True when `password` matches `encoded`; false on a mismatch and on anything `encoded` is not (empty,
  // another algorithm, malformed).
  bool verify(std::string_view password, std::string_view encoded);

  // Costs what verify() costs against a real hash and returns nothing: for unknown users, so that a reply
  // takes as long whether or not the name exists.
  void verify_dummy(std::string_view password);

 private:
  PasswordHashParams params_;
  std::counting_semaphore<8> slots_;
  std::string dummy_;  // a hash of a random password, made once
};

}  // namespace wharf
