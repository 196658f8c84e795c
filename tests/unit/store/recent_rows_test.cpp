// RecentRows, the short memory behind TenantRepository/ConnectionRepository::get_recent().
#include "store/recent_rows.hpp"

#include <gtest/gtest.h>

#include <string>

namespace appconnect::store {
namespace {

TEST(RecentRowsTest, ServesARowUntilItIsTooOld) {
  RecentRows<std::string> rows(1000);
  rows.remember("t1", "settings v1", 10'000, rows.generation());
  EXPECT_EQ(rows.find("t1", 10'000).value_or(""), "settings v1");
  EXPECT_EQ(rows.find("t1", 11'000).value_or(""), "settings v1");
  EXPECT_FALSE(rows.find("t1", 11'001)); // older than max age: read the database again
  EXPECT_FALSE(rows.find("t1", 9'999));  // the clock went back: do not trust it
  EXPECT_FALSE(rows.find("t2", 10'000));
}

TEST(RecentRowsTest, AWriteForgetsAtOnce) {
  RecentRows<std::string> rows(1000);
  rows.remember("c1", "token A", 10'000, rows.generation());
  rows.forget("c1");
  EXPECT_FALSE(rows.find("c1", 10'001));
  rows.remember("c1", "token B", 10'002, rows.generation());
  rows.remember("c2", "other", 10'002, rows.generation());
  rows.forget_all();
  EXPECT_FALSE(rows.find("c1", 10'003));
  EXPECT_FALSE(rows.find("c2", 10'003));
}

TEST(RecentRowsTest, ARowReadBeforeAWriteIsNotKept) {
  // Thread A starts reading (takes the generation), thread B writes and forgets, A finishes its read of
  // the old row: keeping it would serve the old row after the write for up to max age.
  RecentRows<std::string> rows(1000);
  const auto before_read = rows.generation();
  rows.forget("c1"); // the concurrent write
  rows.remember("c1", "token read before the write", 10'000, before_read);
  EXPECT_FALSE(rows.find("c1", 10'000));
}

TEST(RecentRowsTest, ZeroMaxAgeKeepsNothing) {
  RecentRows<std::string> rows(0);
  rows.remember("t1", "x", 10'000, rows.generation());
  EXPECT_FALSE(rows.find("t1", 10'000));
}

} // namespace
} // namespace appconnect::store
