// How a client verb fails: the message a person reads on stderr and the exit code a script reads.
#pragma once

#include <string>
#include <tl/expected.hpp>

#include "cli/cli.h"

namespace wharf::cli {

struct Failure {
  int exit_code = kExitRefused;  // one of the codes in cli.h
  std::string message;           // printed as "error: <message>"; never contains a token
  int http_status = 0;           // the server's status when it answered, else 0
};

template <class T>
using Outcome = tl::expected<T, Failure>;

inline tl::unexpected<Failure> usage_error(std::string message) {
  return tl::unexpected(Failure{kExitUsage, std::move(message)});
}
inline tl::unexpected<Failure> refused(std::string message) {
  return tl::unexpected(Failure{kExitRefused, std::move(message)});
}
inline tl::unexpected<Failure> unavailable(std::string message) {
  return tl::unexpected(Failure{kExitUnavailable, std::move(message)});
}

}  // namespace wharf::cli
