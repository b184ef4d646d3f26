#include "image/layer_entry.h"

#include <gtest/gtest.h>

namespace wharf {
namespace {

TEST(LayerEntry, NormalisesPaths) {
  EXPECT_EQ(layer_entry_path("./usr//bin/"), "usr/bin");
  EXPECT_EQ(layer_entry_path("/etc/passwd"), "etc/passwd");
  EXPECT_EQ(layer_entry_path("./"), "");
  EXPECT_EQ(layer_entry_path("a/./b"), "a/b");
  EXPECT_EQ(layer_entry_path("a/..b"), "a/..b");
}

TEST(LayerEntry, RefusesDotDot) {
  EXPECT_FALSE(layer_entry_path("../etc/passwd"));
  EXPECT_FALSE(layer_entry_path("a/../../b"));
  EXPECT_FALSE(layer_entry_path("a/.."));
}

TEST(LayerEntry, Whiteouts) {
  auto w = classify_whiteout("etc/.wh.passwd");
  EXPECT_EQ(w.kind, WhiteoutMark::kWhiteout);
  EXPECT_EQ(w.target, "etc/passwd");
  auto top = classify_whiteout(".wh.tmp");
  EXPECT_EQ(top.kind, WhiteoutMark::kWhiteout);
  EXPECT_EQ(top.target, "tmp");
  auto opq = classify_whiteout("var/cache/.wh..wh..opq");
  EXPECT_EQ(opq.kind, WhiteoutMark::kOpaque);
  EXPECT_EQ(opq.target, "var/cache");
  EXPECT_EQ(classify_whiteout(".wh..wh..opq").target, "");
  EXPECT_EQ(classify_whiteout("etc/passwd").kind, WhiteoutMark::kNone);
  EXPECT_EQ(classify_whiteout("etc/.wh.").kind, WhiteoutMark::kNone);
  EXPECT_EQ(classify_whiteout("etc/x.wh.y").kind, WhiteoutMark::kNone);
}

}  // namespace
}  // namespace wharf
