// The WWW-Authenticate challenge of a registry (RFC 7235 as Docker's token protocol uses it):
//   Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"
//   Basic realm="Registry Realm"
// Pure.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace wharf {

struct AuthChallenge {
  std::string scheme;                         // lower case: "bearer", "basic"; empty when unparsable
  std::map<std::string, std::string> params;  // lower-case keys: realm, service, scope, error

  std::string param(const std::string& key) const {
    auto it = params.find(key);
    return it == params.end() ? std::string() : it->second;
  }
};

AuthChallenge parse_auth_challenge(std::string_view header);

}  // namespace wharf
