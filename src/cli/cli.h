// The `wharf` command line: `wharf server` and the client verbs that talk to the API.
#pragma once

namespace wharf::cli {

// Exit codes scripts can trust.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused =
    1;                                // the server answered with a 4xx: the request was wrong or not allowed
inline constexpr int kExitUsage = 2;  // bad command line
inline constexpr int kExitUnavailable = 3;  // the server could not be reached or failed (5xx)

int main(int argc, char** argv);

}  // namespace wharf::cli
