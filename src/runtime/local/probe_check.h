// One health check of a running instance, as the kubelet does them: an HTTP GET that answers 200-399, a TCP
// connect, or a command run in the container (`runc exec`) that exits 0. Each blocks for at most its
// timeout. Returns success, or `unavailable` with what went wrong (for the instance's status).
#pragma once

#include <chrono>
#include <string>

#include "core/error.h"

namespace wharf::local {

Status check_http(const std::string& ip, int port, const std::string& path,
                  std::chrono::milliseconds timeout);
Status check_tcp(const std::string& ip, int port, std::chrono::milliseconds timeout);

}  // namespace wharf::local
