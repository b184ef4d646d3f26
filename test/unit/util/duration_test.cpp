#include "util/duration.h"

#include <gtest/gtest.h>

namespace wharf {
namespace {

TEST(Duration, UnitsAndCombinations) {
  EXPECT_EQ(parse_duration("300")->count(), 300);
  EXPECT_EQ(parse_duration("300s")->count(), 300);
  EXPECT_EQ(parse_duration("5m")->count(), 300);
  EXPECT_EQ(parse_duration("1h30m")->count(), 5400);
  EXPECT_EQ(parse_duration("30d")->count(), 30 * 86400);
}

TEST(Duration, MalformedIsRefused) {
  for (const char* bad : {"", "m", "5x", "1m30", "-5m", "1.5h", "5 m"})
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
}

}  // namespace
}  // namespace wharf
