#include "cli/release_wait.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/output.h"

namespace wharf::cli {
namespace {

constexpr std::chrono::milliseconds kPollInterval{1000};

std::string describe(const json& release) {
  return "release " + text_of(release, "revision") + " " + text_of(release, "status") + ", " +
         readiness(release) + " ready";
}

Failure failed(const json& release) {
  std::string reason = text_of(release, "reason");
  return Failure{kExitRefused, "release " + text_of(release, "revision") + " failed" +
                                   (reason.empty() ? "" : ": " + reason)};
}

}  // namespace

std::string readiness(const json& release) {
  int ready = 0, desired = 0;
  for (const auto& c : release.value("clusters", json::array())) {
    ready += c.value("ready", 0);
    desired += c.value("desired", 0);
  }
  if (desired == 0) desired = release.value("replicas", 0);
  return std::to_string(ready) + "/" + std::to_string(desired);
}

Outcome<json> wait_for_release(const JsonApi& api, const std::string& release_path,
                               std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last_line, last_error;
  while (true) {
    auto release = api.get(release_path);
    if (release) {
      const std::string status = text_of(*release, "status");
      if (status == "succeeded") return release;
      if (status == "failed") return tl::unexpected(failed(*release));
      if (std::string line = describe(*release); line != last_line) {
        std::cerr << line << '\n';
        last_line = line;
      }
    } else if (release.error().exit_code != kExitUnavailable) {
      return tl::unexpected(release.error());
    } else {
      last_error = release.error().message;  // the server may be restarting: keep trying until the deadline
    }
    if (std::chrono::steady_clock::now() + kPollInterval > deadline) break;
    std::this_thread::sleep_for(kPollInterval);
  }
  std::string message = "gave up waiting after " + std::to_string(timeout.count()) +
                        "s: " + (last_line.empty() ? "the release could not be read" : last_line) +
                        "; the release goes on without the wait";
  if (!last_error.empty()) message += " (last error: " + last_error + ")";
  return unavailable(message);
}

}  // namespace wharf::cli
