#include "core/quantity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

namespace wharf {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST(ParseCpuMillis, AcceptsKubernetesForms) {
  struct Case {
    const char* text;
    int64_t millis;
  } cases[] = {
      {"500m", 500},    {"2", 2000},      {"0.5", 500},    {".5", 500},   {"1.", 1000},
      {"+1", 1000},     {"1m", 1},        {"0", 0},        {"0m", 0},     {"1k", 1000000},
      {"1e3", 1000000}, {"1E3", 1000000}, {"5e-1", 500},   {"1.5", 1500}, {"0.001", 1},
      {"100e-3", 100},  {"2.500", 2500},  {"1000m", 1000}, {"007", 7000}, {"1500000m", 1500000},
      {"-0", 0},        {"1e+2", 100000},
  };
  for (const auto& c : cases) {
    auto r = parse_cpu_millis(c.text, "resources.cpu");
    ASSERT_TRUE(r) << c.text << ": " << r.error().message;
    EXPECT_EQ(*r, c.millis) << c.text;
  }
}

TEST(ParseCpuMillis, RejectsGarbageWithAHint) {
  for (const char* text :
       {"", "abc", "1 ", " 1", "1.2.3", "m", "1x", "1mm", "1e", "1e1.5", ".", "+", "2 cores", "1,5"}) {
    auto r = parse_cpu_millis(text, "resources.cpu");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid) << text;
    EXPECT_EQ(r.error().field, "resources.cpu") << text;
    EXPECT_THAT(r.error().message, HasSubstr("500m")) << text;
  }
}

TEST(ParseCpuMillis, MessageNamesTheLastPathSegment) {
  auto r = parse_cpu_millis("lots", "resources.cpu");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("cpu \"lots\" is not a valid quantity"));
}

TEST(ParseCpuMillis, RejectsNegative) {
  auto r = parse_cpu_millis("-1", "cpu");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("must not be negative"));
}

TEST(ParseCpuMillis, RejectsSubMillicorePrecision) {
  for (const char* text : {"0.0001", "1.5m", "0.5m", "1e-4"}) {
    auto r = parse_cpu_millis(text, "resources.cpu");
    ASSERT_FALSE(r) << text;
    EXPECT_THAT(r.error().message, HasSubstr("finer than one millicore")) << text;
  }
}

TEST(ParseCpuMillis, RejectsMemorySuffixes) {
  auto r = parse_cpu_millis("512Mi", "resources.cpu");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("memory suffix"));
}

TEST(ParseCpuMillis, ChecksOverflow) {
  EXPECT_EQ(*parse_cpu_millis("9223372036854775807m", "cpu"), kMax);
  for (const char* text : {"9223372036854775808m", "9223372036854776", "1E", "1e999999999999", "10P",
                           "99999999999999999999999999999999999999999999"}) {
    auto r = parse_cpu_millis(text, "cpu");
    ASSERT_FALSE(r) << text;
    EXPECT_THAT(r.error().message, HasSubstr("too large")) << text;
  }
}

TEST(ParseCpuMillis, HugeNegativeExponentIsAFraction) {
  auto r = parse_cpu_millis("1e-999999999999", "cpu");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("finer"));
  EXPECT_EQ(*parse_cpu_millis("0e999999999", "cpu"), 0);
}

TEST(ParseMemoryBytes, AcceptsKubernetesForms) {
  struct Case {
    const char* text;
    int64_t bytes;
  } cases[] = {
      {"0", 0},
      {"1", 1},
      {"512Mi", 512LL << 20},
      {"1Gi", 1LL << 30},
      {"1Ki", 1024},
      {"2Ti", 2LL << 40},
      {"1Pi", 1LL << 50},
      {"7Ei", 7LL << 60},
      {"1k", 1000},
      {"1M", 1000000},
      {"1G", 1000000000},
      {"1T", 1000000000000},
      {"1P", 1000000000000000},
      {"1E", 1000000000000000000},
      {"1e9", 1000000000},
      {"129e6", 129000000},
      {"0.5Ki", 512},
      {"1.5Gi", 1536LL << 20},
      {"1.5G", 1500000000},
      {"123Mi", 128974848},
      {"1500000", 1500000},
      {"0.000000001G", 1},
  };
  for (const auto& c : cases) {
    auto r = parse_memory_bytes(c.text, "resources.memory");
    ASSERT_TRUE(r) << c.text << ": " << r.error().message;
    EXPECT_EQ(*r, c.bytes) << c.text;
  }
}

TEST(ParseMemoryBytes, RejectsCommonMistakesWithTheBriefedMessage) {
  auto r = parse_memory_bytes("512MB", "resources.memory");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(r.error().field, "resources.memory");
  EXPECT_EQ(r.error().message,
            "memory \"512MB\" is not a valid quantity: use a number with a suffix such as 512Mi or 1Gi");
  for (const char* text : {"1GB", "512mb", "1gi", "1 Gi", "Gi", "", "1KiB", "1i", "1.5.5Mi", "--1"}) {
    EXPECT_FALSE(parse_memory_bytes(text, "resources.memory")) << text;
  }
}

TEST(ParseMemoryBytes, LowerCaseMIsExplained) {
  auto r = parse_memory_bytes("512m", "resources.memory");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("512Mi"));
  EXPECT_THAT(r.error().message, HasSubstr("512M "));
}

TEST(ParseMemoryBytes, RejectsFractionsNegativesAndOverflow) {
  auto frac = parse_memory_bytes("1.5", "memory");
  ASSERT_FALSE(frac);
  EXPECT_THAT(frac.error().message, HasSubstr("whole number of bytes"));
  EXPECT_FALSE(parse_memory_bytes("0.3Ki", "memory"));
  EXPECT_FALSE(parse_memory_bytes("1e-1", "memory"));

  auto neg = parse_memory_bytes("-1Gi", "memory");
  ASSERT_FALSE(neg);
  EXPECT_THAT(neg.error().message, HasSubstr("negative"));

  EXPECT_EQ(*parse_memory_bytes("9223372036854775807", "memory"), kMax);
  for (const char* text : {"8Ei", "9223372036854775808", "10E", "1e19", "16Ei"}) {
    auto r = parse_memory_bytes(text, "memory");
    ASSERT_FALSE(r) << text;
    EXPECT_THAT(r.error().message, HasSubstr("too large")) << text;
  }
}

TEST(ParseMemoryBytes, TooManyDigitsIsRefusedNotMisread) {
  auto r = parse_memory_bytes("1.0000000000000000000000000000000000000001", "memory");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("too many digits"));
  // Trailing zeros are not significant.
  EXPECT_EQ(*parse_memory_bytes("1.000000000000000000000000000000000000000000000", "memory"), 1);
}

TEST(FormatCpuMillis, CanonicalLikeKubernetes) {
  EXPECT_EQ(format_cpu_millis(500), "500m");
  EXPECT_EQ(format_cpu_millis(2000), "2");
  EXPECT_EQ(format_cpu_millis(1500), "1500m");
  EXPECT_EQ(format_cpu_millis(0), "0");
  EXPECT_EQ(format_cpu_millis(1), "1m");
  EXPECT_EQ(format_cpu_millis(2000000), "2k");
  EXPECT_EQ(format_cpu_millis(-250), "-250m");
  EXPECT_EQ(format_cpu_millis(kMax), "9223372036854775807m");
  EXPECT_EQ(format_cpu_millis(std::numeric_limits<int64_t>::min()), "-9223372036854775808m");
}

TEST(FormatMemoryBytes, CanonicalLikeKubernetes) {
  EXPECT_EQ(format_memory_bytes(512LL << 20), "512Mi");
  EXPECT_EQ(format_memory_bytes(1LL << 30), "1Gi");
  EXPECT_EQ(format_memory_bytes(1500000), "1500000");
  EXPECT_EQ(format_memory_bytes(1536), "1536");
  EXPECT_EQ(format_memory_bytes(1024), "1Ki");
  EXPECT_EQ(format_memory_bytes(1000), "1000");
  EXPECT_EQ(format_memory_bytes(0), "0");
  EXPECT_EQ(format_memory_bytes(4LL << 60), "4Ei");
  EXPECT_EQ(format_memory_bytes(1536LL << 20), "1536Mi");
}

TEST(Quantity, FormatParsesBack) {
  for (int64_t v : {int64_t{1}, int64_t{999}, int64_t{1000}, int64_t{123456789}, int64_t{2000000000}, kMax}) {
    EXPECT_EQ(*parse_cpu_millis(format_cpu_millis(v), "cpu"), v) << v;
    EXPECT_EQ(*parse_memory_bytes(format_memory_bytes(v), "memory"), v) << v;
  }
}

}  // namespace
}  // namespace wharf
