#include "util/secret_box.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "util/crypto.h"

namespace wharf {
namespace {

constexpr std::string_view kPrefix = "wsb1:";
constexpr size_t kKeySize = 32, kNonceSize = 12, kTagSize = 16;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

std::string errno_text() {
  return std::strerror(errno);
}

Result<std::string> read_key(const std::string& path, int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(Error::internal("cannot stat " + path + ": " + errno_text()));
  if (st.st_mode & 077)
    return fail(Error::internal("the secret key " + path + " is readable by others; chmod 600 it"));
  std::string key(kKeySize + 1, '\0');
  ssize_t n = ::read(fd, key.data(), key.size());
  if (n != static_cast<ssize_t>(kKeySize))
    return fail(Error::internal("the secret key " + path + " must hold exactly 32 bytes"));
  key.resize(kKeySize);
  return key;
}

Result<std::string> create_key(const std::string& path) {
  std::string key(kKeySize, '\0');
  if (RAND_bytes(bytes(key), static_cast<int>(key.size())) != 1) {
    std::fputs("wharf: RAND_bytes failed\n", stderr);
    std::abort();
  }
  // Written to a temporary file and linked into place, so a crash never leaves a short key behind and
  // two processes creating it at once agree on the one that won.
  std::string tmp = path + ".tmp." + random_hex(4);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail(Error::internal("cannot create " + tmp + ": " + errno_text()));
  bool ok = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    return fail(Error::internal("cannot write " + tmp + ": " + errno_text()));
  }
  int linked = ::link(tmp.c_str(), path.c_str());
  int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0 && link_errno != EEXIST)
    return fail(Error::internal("cannot create " + path + ": " + std::strerror(link_errno)));
  if (linked != 0) return fail(Error::conflict("created concurrently"));
  return key;
}

}  // namespace

Result<SecretBox> SecretBox::open(const std::string& key_path) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = ::open(key_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      auto key = read_key(key_path, fd);
      ::close(fd);
      if (!key) return fail(key.error());
      return SecretBox(std::move(*key));
    }
    if (errno != ENOENT) return fail(Error::internal("cannot open " + key_path + ": " + errno_text()));
    auto key = create_key(key_path);
    if (key) return SecretBox(std::move(*key));
    if (key.error().code != ErrorCode::kConflict) return fail(key.error());
  }
  return fail(Error::internal("cannot create or read the secret key " + key_path));
}

Result<SecretBox> SecretBox::from_key(std::string key) {
  if (key.size() != kKeySize) return fail(Error::invalid("key", "a secret key has exactly 32 bytes"));
  return SecretBox(std::move(key));
}

std::string SecretBox::seal(std::string_view plaintext) const {
  std::string out(kNonceSize + plaintext.size() + kTagSize, '\0');
  unsigned char* nonce = bytes(out);
  unsigned char* cipher = nonce + kNonceSize;
  if (RAND_bytes(nonce, kNonceSize) != 1) {
    std::fputs("wharf: RAND_bytes failed\n", stderr);
    std::abort();
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0, total = 0;
  bool ok =
      ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key_), nonce) == 1 &&
      EVP_EncryptUpdate(ctx.get(), cipher, &len, bytes(plaintext), static_cast<int>(plaintext.size())) == 1;
  total = len;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), cipher + total, &len) == 1 &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, cipher + plaintext.size()) == 1;
  if (!ok) {
    std::fputs("wharf: AES-256-GCM encryption failed\n", stderr);
    std::abort();
  }
  return std::string(kPrefix) + base64url_encode(out);
}

Result<std::string> SecretBox::unseal(std::string_view sealed) const {
  std::string raw;
  if (!sealed.starts_with(kPrefix) || !base64url_decode(sealed.substr(kPrefix.size()), raw) ||
      raw.size() < kNonceSize + kTagSize)
    return fail(Error::invalid("secret", "not a sealed secret (expected the wsb1: format)"));
  const size_t n = raw.size() - kNonceSize - kTagSize;
  unsigned char* nonce = bytes(raw);
  unsigned char* cipher = nonce + kNonceSize;
  std::string plain(n, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key_), nonce) == 1 &&
            EVP_DecryptUpdate(ctx.get(), bytes(plain), &len, cipher, static_cast<int>(n)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, cipher + n) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), bytes(plain) + len, &len) == 1;
  if (!ok)
    return fail(
        Error::internal("a sealed secret does not verify: it was sealed with another key or altered"));
  return plain;
}

}  // namespace wharf
