#include "runtime/local/log_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "runtime/local/local_log_stream.h"

namespace wharf::local {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class LogDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wharf-log-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "output.log").string(); }
  fs::path dir_;
};

TEST(LogTime, FormatsAndParsesNanoseconds) {
  const auto t = LogClock::time_point(std::chrono::duration_cast<LogClock::duration>(
      std::chrono::seconds(1795452414) + std::chrono::nanoseconds(123456789)));
  EXPECT_EQ(format_log_time(t), "2026-11-23T16:46:54.123456789Z");
  auto line = parse_log_line(format_log_time(t) + " stderr hello  world");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->time, t);
  EXPECT_EQ(line->stream, "stderr");
  EXPECT_EQ(line->text, "hello  world");
  EXPECT_FALSE(parse_log_line("no timestamp here"));
}

TEST(LineSplitter, SplitsJoinsAndCutsOverlongLines) {
  LineSplitter s(8);
  std::vector<std::string> lines;
  auto sink = [&](std::string_view l) { lines.emplace_back(l); };
  s.feed("ab", sink);
  s.feed("c\nde\n", sink);
  s.feed("0123456789abcdefXY", sink);
  s.feed("\n", sink);
  s.feed("tail", sink);
  s.flush(sink);
  EXPECT_EQ(lines, (std::vector<std::string>{"abc", "de", "01234567", "89abcdef", "XY", "tail"}));
}

TEST_F(LogDir, RotatesAndTheFollowerCrossesRotations) {
  LogLimits limits{200, 3};
  auto w = LogWriter::open(path(), limits);
  ASSERT_TRUE(w);
  LogFollower follower(path());
  std::vector<std::string> seen;
  for (int i = 0; i < 40; ++i) {
    w->write("stdout", "line " + std::to_string(i), LogClock::now());
    if (i % 3 == 0) follower.read(seen);  // more often than a file fills
  }
  follower.read(seen);
  ASSERT_EQ(seen.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(parse_log_line(seen[i])->text, "line " + std::to_string(i));
  EXPECT_TRUE(fs::exists(path() + ".1"));
  EXPECT_TRUE(fs::exists(path() + ".2"));
  EXPECT_FALSE(fs::exists(path() + ".3"));
  uint64_t total = 0;
  for (const auto& f : fs::directory_iterator(dir_)) total += fs::file_size(f.path());
  EXPECT_LE(total, 3 * 200u + 100u) << "logs stay within files x max_bytes";
  // The history a new reader sees: rotated files oldest first, then the current one; the newest lines.
  auto history = read_rotated_lines(path(), limits.files);
  LogFollower fresh(path());
  fresh.read(history);
  EXPECT_EQ(parse_log_line(history.back())->text, "line 39");
}

TEST_F(LogDir, StreamServesTailSinceAndFollowsWithPrefixes) {
  const std::string a = (dir_ / "a.log").string(), b = (dir_ / "b.log").string();
  auto wa = LogWriter::open(a, {});
  auto wb = LogWriter::open(b, {});
  const auto t0 = LogClock::now();
  wa->write("stdout", "a1", t0);
  wb->write("stdout", "b1", t0 + 1ms);
  wa->write("stdout", "a2", t0 + 2ms);
  wa->write("stderr", "a3", t0 + 3ms);
  bool gone = false;
  auto lister = [&]() -> std::optional<std::map<std::string, std::string>> {
    if (gone) return std::nullopt;
    return std::map<std::string, std::string>{{"a", a}, {"b", b}};
  };
  std::weak_ptr<std::function<void()>> registered;
  LogQuery q;
  q.tail = 2;
  q.follow = true;
  LocalLogStream s(q, lister, 2, [&](auto n) { registered = n; });
  int notified = 0;
  s.set_notify([&] { ++notified; });
  ASSERT_FALSE(registered.expired());
  (*registered.lock())();
  EXPECT_EQ(notified, 1);
  std::string out;
  EXPECT_TRUE(s.poll(out));
  EXPECT_EQ(out, "[b] b1\n[a] a2\n[a] a3\n");
  out.clear();
  wb->write("stdout", "b2", LogClock::now());
  EXPECT_TRUE(s.poll(out));
  EXPECT_EQ(out, "[b] b2\n");
  gone = true;
  EXPECT_FALSE(s.poll(out));

  LogQuery one;
  one.instance = "a";
  one.since = t0 + 2ms;
  one.timestamps = true;
  gone = false;
  LocalLogStream single(one, lister, 2, [](auto) {});
  single.set_notify([] {});
  out.clear();
  EXPECT_FALSE(single.poll(out)) << "not following: ends after the history";
  EXPECT_EQ(out, format_log_time(t0 + 2ms) + " a2\n" + format_log_time(t0 + 3ms) + " a3\n");
}

}  // namespace
}  // namespace wharf::local
