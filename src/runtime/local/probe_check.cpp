#include "runtime/local/probe_check.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wharf::local {

namespace {

using Clock = std::chrono::steady_clock;

struct Socket {
  int fd = -1;
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
};

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

std::string where(const std::string& ip, int port) {
  return ip + ":" + std::to_string(port);
}

// A non-blocking connect bounded by the deadline.
Status connect_to(Socket& s, const std::string& ip, int port, Clock::time_point deadline) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1)
    return fail(Error::unavailable("not an IPv4 address: \"" + ip + "\""));
  s.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s.fd < 0) return fail(Error::unavailable(std::string("socket: ") + std::strerror(errno)));
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS)
    return fail(Error::unavailable("connect " + where(ip, port) + ": " + std::strerror(errno)));
  pollfd p{s.fd, POLLOUT, 0};
  if (::poll(&p, 1, remaining_ms(deadline)) <= 0)
    return fail(Error::unavailable("connect " + where(ip, port) + ": timed out"));
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return fail(Error::unavailable("connect " + where(ip, port) + ": " + std::strerror(err)));
  return {};
}

}  // namespace

Status check_tcp(const std::string& ip, int port, std::chrono::milliseconds timeout) {
  Socket s;
  return connect_to(s, ip, port, Clock::now() + timeout);
}

Status check_http(const std::string& ip, int port, const std::string& path,
                  std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  Socket s;
  if (auto c = connect_to(s, ip, port, deadline); !c) return c;
  const std::string request =
      "GET " + (path.empty() ? std::string("/") : path) + " HTTP/1.1\r\nHost: " + where(ip, port) +
      "\r\nUser-Agent: wharf-probe/1\r\nAccept: */*\r\n" + "Connection: close\r\n\r\n";
  size_t sent = 0;
  std::string head;
  while (head.find("\r\n") == std::string::npos) {
    const bool sending = sent < request.size();
    pollfd p{s.fd, static_cast<short>(sending ? POLLOUT : POLLIN), 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0)
      return fail(Error::unavailable("GET " + where(ip, port) + path + ": timed out"));
    if (sending) {
      const ssize_t n = ::send(s.fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EINTR)
        return fail(Error::unavailable("GET " + where(ip, port) + path + ": " + std::strerror(errno)));
      if (n > 0) sent += static_cast<size_t>(n);
      continue;
    }
    char buf[512];
    const ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
    if (n == 0) return fail(Error::unavailable("GET " + where(ip, port) + path + ": connection closed"));
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return fail(Error::unavailable("GET " + where(ip, port) + path + ": " + std::strerror(errno)));
    if (n > 0) head.append(buf, static_cast<size_t>(n));
    if (head.size() > 8192) break;
  }
  // "HTTP/1.1 200 OK"
  const auto sp = head.find(' ');
  const int status = sp == std::string::npos ? 0 : std::atoi(head.c_str() + sp + 1);
  if (status >= 200 && status < 400) return {};
  return fail(Error::unavailable("GET " + where(ip, port) + path + " answered " +
                                 (status ? "HTTP " + std::to_string(status) : "no HTTP status line")));
}

}  // namespace wharf::local
