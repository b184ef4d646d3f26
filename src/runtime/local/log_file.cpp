#include "runtime/local/log_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>

namespace wharf::local {

std::string format_log_time(LogClock::time_point t) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  const time_t secs = static_cast<time_t>(ns / 1000000000);
  tm utc{};
  ::gmtime_r(&secs, &utc);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long long>(ns % 1000000000));
  return buf;
}

namespace {

// Inverse of format_log_time (exactly that form).
std::optional<LogClock::time_point> parse_log_time(std::string_view s) {
  if (s.size() != 30 || s[4] != '-' || s[10] != 'T' || s[19] != '.' || s[29] != 'Z') return std::nullopt;
  tm utc{};
  long long frac = 0;
  char z = 0;
  const std::string text(s);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%9lld%c", &utc.tm_year, &utc.tm_mon, &utc.tm_mday,
                  &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &frac, &z) != 8 ||
      z != 'Z')
    return std::nullopt;
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  const time_t secs = ::timegm(&utc);
  return LogClock::time_point(std::chrono::duration_cast<LogClock::duration>(std::chrono::seconds(secs) +
                                                                             std::chrono::nanoseconds(frac)));
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void split_lines(std::string& partial, std::vector<std::string>& lines) {
  size_t start = 0;
  for (size_t nl; (nl = partial.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.emplace_back(partial, start, nl - start);
  partial.erase(0, start);
}

}  // namespace

std::optional<LogLine> parse_log_line(std::string_view stored) {
  const auto sp1 = stored.find(' ');
  if (sp1 == std::string_view::npos) return std::nullopt;
  auto time = parse_log_time(stored.substr(0, sp1));
  if (!time) return std::nullopt;
  const auto rest = stored.substr(sp1 + 1);
  const auto sp2 = rest.find(' ');
  if (sp2 == std::string_view::npos) return std::nullopt;
  return LogLine{*time, std::string(rest.substr(0, sp2)), std::string(rest.substr(sp2 + 1))};
}

Result<LogWriter> LogWriter::open(std::string path, LogLimits limits) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return fail(Error::internal("cannot open log " + path + ": " + std::strerror(errno)));
  struct stat st {};
  ::fstat(fd, &st);
  return LogWriter(std::move(path), limits, fd, static_cast<uint64_t>(st.st_size));
}

LogWriter::LogWriter(std::string path, LogLimits limits, int fd, uint64_t size)
    : path_(std::move(path)), limits_(limits), fd_(fd), size_(size) {}

LogWriter::LogWriter(LogWriter&& other) noexcept
    : path_(std::move(other.path_)), limits_(other.limits_), fd_(other.fd_), size_(other.size_) {
  other.fd_ = -1;
}

LogWriter::~LogWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void LogWriter::rotate() {
  for (int i = limits_.files - 1; i >= 1; --i) {
    const std::string from = i == 1 ? path_ : path_ + "." + std::to_string(i - 1);
    ::rename(from.c_str(), (path_ + "." + std::to_string(i)).c_str());
  }
  if (limits_.files <= 1) ::unlink(path_.c_str());
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return;  // keep writing to the old file rather than lose lines
  ::close(fd_);
  fd_ = fd;
  size_ = 0;
}

void LogWriter::write(std::string_view stream, std::string_view text, LogClock::time_point now) {
  std::string line = format_log_time(now);
  line.reserve(line.size() + stream.size() + text.size() + 3);
  line += ' ';
  line += stream;
  line += ' ';
  line += text;
  line += '\n';
  if (size_ > 0 && size_ + line.size() > limits_.max_bytes) rotate();
  write_all(fd_, line);
  size_ += line.size();
}

void LineSplitter::feed(std::string_view data, const std::function<void(std::string_view)>& line) {
  partial_.append(data);
  size_t start = 0;
  for (;;) {
    const size_t nl = partial_.find('\n', start);
    if (nl == std::string::npos) {
      if (partial_.size() - start < max_line_) break;
      line(std::string_view(partial_).substr(start, max_line_));
      start += max_line_;
      continue;
    }
    // Pieces of an over-long line, then the line's end.
    while (nl - start > max_line_) {
      line(std::string_view(partial_).substr(start, max_line_));
      start += max_line_;
    }
    line(std::string_view(partial_).substr(start, nl - start));
    start = nl + 1;
  }
  partial_.erase(0, start);
}

void LineSplitter::flush(const std::function<void(std::string_view)>& line) {
  if (!partial_.empty()) line(partial_);
  partial_.clear();
}

LogFollower::~LogFollower() {
  if (fd_ >= 0) ::close(fd_);
}

void LogFollower::drain(std::vector<std::string>& lines) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial_.append(buf, static_cast<size_t>(n));
    split_lines(partial_, lines);
  }
}

void LogFollower::read(std::vector<std::string>& lines) {
  if (fd_ < 0) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return;  // not written yet
    struct stat st {};
    ::fstat(fd_, &st);
    inode_ = st.st_ino;
  }
  drain(lines);
  struct stat now {};
  if (::stat(path_.c_str(), &now) == 0 && now.st_ino != inode_) {
    // Rotated: the writer renamed the file before opening the new one, so the old one is complete once
    // drained again. What is left without a newline belonged to a line cut by the rotation.
    drain(lines);
    if (!partial_.empty()) lines.push_back(std::move(partial_));
    partial_.clear();
    ::close(fd_);
    fd_ = -1;
    read(lines);
  }
}

std::vector<std::string> read_rotated_lines(const std::string& path, int files) {
  std::vector<std::string> lines;
  for (int i = files - 1; i >= 1; --i) {
    std::ifstream f(path + "." + std::to_string(i));
    for (std::string line; std::getline(f, line);) lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace wharf::local
