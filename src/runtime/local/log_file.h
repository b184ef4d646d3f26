// Instance logs on disk. The shim writes each line of the container's stdout/stderr as
//
//   2026-11-23T16:46:54.123456789Z stdout the line's text
//
// into <path>; when the file passes max_bytes it is renamed to <path>.1 (older ones shift up to
// <path>.<files-1>, the oldest is deleted) and a new <path> begins, so an instance never holds more than
// files x max_bytes of logs. One writer per file (the shim of the instance, one at a time); any number of
// readers, which follow the file across rotations by its inode, as `tail -F` does (a reader that falls a
// whole file behind skips the files in between; at 10 MiB per file and a read every 200 ms it does not).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace wharf::local {

struct LogLimits {
  uint64_t max_bytes = 10 << 20;
  int files = 2;  // the current file and files-1 rotated ones
};

using LogClock = std::chrono::system_clock;

// RFC 3339, UTC, nanoseconds: "2026-11-23T16:46:54.123456789Z".
std::string format_log_time(LogClock::time_point t);

struct LogLine {
  LogClock::time_point time;
  std::string stream;  // stdout, stderr, or wharf (the driver's own notes)
  std::string text;    // without the newline
};

// One stored line (without '\n') -> its parts; nullopt when it is not in the format above.
std::optional<LogLine> parse_log_line(std::string_view stored);

class LogWriter {
 public:
  // Opens <path> for appending (creates it). `internal` when it cannot.
  static Result<LogWriter> open(std::string path, LogLimits limits);
  LogWriter(LogWriter&& other) noexcept;
  LogWriter& operator=(LogWriter&&) = delete;
  ~LogWriter();

  // Writes one line (`text` without its newline); rotates first when the file is full. Write errors are
  // dropped: losing a log line must never stop the instance.
  void write(std::string_view stream, std::string_view text, LogClock::time_point now);

 private:
  LogWriter(std::string path, LogLimits limits, int fd, uint64_t size);
  void rotate();
  std::string path_;
  LogLimits limits_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// Cuts the bytes of a pipe into lines. A line longer than `max_line` is cut into pieces of that size, so a
// program printing without newlines cannot make the shim buffer without bound.
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line = 16 << 10) : max_line_(max_line) {}
  void feed(std::string_view data, const std::function<void(std::string_view)>& line);
  // The unterminated rest, as a last line (the pipe closed).
  void flush(const std::function<void(std::string_view)>& line);

 private:
  size_t max_line_;
  std::string partial_;
};

// Reads the lines of one log file from the start of the current file onwards, across rotations.
class LogFollower {
 public:
  explicit LogFollower(std::string path) : path_(std::move(path)) {}
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;
  ~LogFollower();

  // Appends the complete lines written since the last call. Never blocks.
  void read(std::vector<std::string>& lines);

 private:
  void drain(std::vector<std::string>& lines);
  std::string path_;
  int fd_ = -1;
  ino_t inode_ = 0;
  std::string partial_;
};

// The stored lines of the rotated files <path>.<files-1> ... <path>.1, oldest first (not the current file:
// a LogFollower reads that, so that nothing is read twice or missed).
std::vector<std::string> read_rotated_lines(const std::string& path, int files);

}  // namespace wharf::local
