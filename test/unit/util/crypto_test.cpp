#include "util/crypto.h"

#include <gtest/gtest.h>

namespace wharf {
namespace {

TEST(Crypto, HmacSha1Base64MatchesRfc2202) {
  // RFC 2202 test cases 1 and 2, base64 of the hex digests given there.
  EXPECT_EQ(hmac_sha1_base64(std::string(20, '\x0b'), "Hi There"), "thcxhlUFcmTii8C2+zeMjvFGvgA=");
  EXPECT_EQ(hmac_sha1_base64("Jefe", "what do ya want for nothing?"), "7/zfauXrL6LSdBbV8YTfnCWafHk=");
}

TEST(Crypto, ApolloSignatureOfARequest) {
  // Apollo signs timestamp + "\n" + path?query; the expected value is Python's hmac + base64 of the same.
  const std::string text = "1576478257344\n/configs/100004458/default/application?ip=10.0.0.1";
  EXPECT_EQ(hmac_sha1_base64("df23df3f59884980844ff3dada30fa97", text), "EoKyziXvKqzHgwx+ijDJwgVTDgE=");
}

}  // namespace
}  // namespace wharf
