// Job attempts and the dashboard's statistics on both engines: the same SQL (integer-day grouping,
// window-function percentiles, optional filters) must give the same numbers on SQLite and PostgreSQL.
// Also the unresolved queue's per-number groups and a rep's count.
#include "store/attempts.hpp"
#include "store/database.hpp"
#include "store/matching_repositories.hpp"
#include "store/migrations.hpp"
#include "store/repositories.hpp"
#include "support/fresh_database.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace appconnect::store {
namespace {

constexpr std::int64_t kDay = 86400000;
constexpr std::int64_t kD = 20000; // 2024-10-04, a fixed day in the past

class Attempts : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<testing::TempDir>("appconnect-attempts");
    auto db = Database::open(testing::fresh_database_url(GetParam(), dir_->path()), 4);
    ASSERT_TRUE(db) << db.error().message;
    db_ = db.value();
    ASSERT_TRUE(migrate(*db_));
    repo_ = std::make_unique<AttemptRepository>(db_);
  }

  void add(std::int64_t job, const std::string& tenant, const std::string& connection, const std::string& agent,
           const std::string& result, std::int64_t finished, std::int64_t ended = 0) {
    AttemptRow a;
    a.job_id = job;
    a.tenant_id = tenant;
    a.connection_id = connection;
    a.agent = agent;
    a.attempt = 1;
    a.started_at = finished - 10;
    a.finished_at = finished;
    a.result = result;
    a.source_ended_at = ended;
    if (result == "retry") {
      a.error = R"({"code":"unavailable","message":"CRM said 503"})";
      a.next_attempt_at = finished + 1000;
    }
    ASSERT_TRUE(repo_->record(a));
  }

  const DailyStats* find(const std::vector<DailyStats>& rows, const std::string& day, const std::string& connection) {
    for (const auto& r : rows)
      if (r.day == day && r.connection_id == connection) return &r;
    return nullptr;
  }

  std::unique_ptr<testing::TempDir> dir_;
  std::shared_ptr<Database> db_;
  std::unique_ptr<AttemptRepository> repo_;
};

TEST_P(Attempts, DailyCountsAndNearestRankLatencyPerConnection) {
  const std::int64_t noon = kD * kDay + 12 * 3600000;
  // c1, agent 101: ten first writes with delays of 1..10 s, two placeholders, one update, three retries,
  // one failure; the next day one more write.
  for (int k = 1; k <= 10; ++k) add(k, "t", "c1", "101", "logged", noon + k, noon + k - k * 1000);
  add(11, "t", "c1", "101", "placeholder", noon);
  add(12, "t", "c1", "101", "placeholder", noon);
  add(13, "t", "c1", "101", "updated", noon);
  for (int k = 0; k < 3; ++k) add(14 + k, "t", "c1", "101", "retry", noon);
  add(17, "t", "c1", "101", "failed", noon);
  add(18, "t", "c1", "101", "logged", noon + kDay, noon + kDay - 250);
  // c2, agent 202: one write, 500 ms. Another tenant: never counted.
  add(19, "t", "c2", "202", "logged", noon, noon - 500);
  add(20, "other", "c1", "101", "logged", noon, noon - 1);

  auto rows = repo_->daily(StatsQuery{"t", "", "", kD * kDay});
  ASSERT_TRUE(rows) << rows.error().message;
  const auto* c1 = find(rows.value(), "2024-10-04", "c1");
  ASSERT_NE(c1, nullptr);
  EXPECT_EQ(c1->logged, 10);
  EXPECT_EQ(c1->placeholder, 2);
  EXPECT_EQ(c1->updated, 1);
  EXPECT_EQ(c1->retried, 3);
  EXPECT_EQ(c1->failed, 1);
  EXPECT_EQ(c1->latency_samples, 10);
  EXPECT_EQ(c1->latency_p50_ms, 5000);  // the 5th of 10
  EXPECT_EQ(c1->latency_p95_ms, 10000); // the 10th of 10
  const auto* next = find(rows.value(), "2024-10-05", "c1");
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->logged, 1);
  EXPECT_EQ(next->latency_p50_ms, 250);
  const auto* c2 = find(rows.value(), "2024-10-04", "c2");
  ASSERT_NE(c2, nullptr);
  EXPECT_EQ(c2->logged, 1);
  EXPECT_EQ(c2->latency_p95_ms, 500);
  EXPECT_EQ(rows.value().size(), 3u);

  // A rep's view (agent 202) and a connection filter.
  auto rep = repo_->daily(StatsQuery{"t", "202", "", kD * kDay});
  ASSERT_TRUE(rep);
  ASSERT_EQ(rep.value().size(), 1u);
  EXPECT_EQ(rep.value()[0].connection_id, "c2");
  auto only_c1 = repo_->daily(StatsQuery{"t", "", "c1", kD * kDay});
  ASSERT_TRUE(only_c1);
  EXPECT_EQ(only_c1.value().size(), 2u);
  // The window starts at `since`: the next day only.
  auto later = repo_->daily(StatsQuery{"t", "", "", (kD + 1) * kDay});
  ASSERT_TRUE(later);
  ASSERT_EQ(later.value().size(), 1u);
  EXPECT_EQ(later.value()[0].day, "2024-10-05");
}

TEST_P(Attempts, AJobsAttemptsComeBackInOrderWithTheirErrors) {
  add(7, "t", "c1", "101", "retry", 1000);
  add(7, "t", "c1", "101", "logged", 3000, 500);
  add(8, "t", "c1", "101", "logged", 2000);
  auto list = repo_->list_for_job(7);
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list.value().size(), 2u);
  EXPECT_EQ(list.value()[0].result, "retry");
  EXPECT_NE(list.value()[0].error.find("CRM said 503"), std::string::npos);
  EXPECT_EQ(list.value()[0].next_attempt_at, 2000);
  EXPECT_EQ(list.value()[1].result, "logged");
  EXPECT_TRUE(list.value()[1].error.empty());
  EXPECT_EQ(list.value()[1].next_attempt_at, 0);
  EXPECT_EQ(list.value()[1].source_ended_at, 500);
}

TEST_P(Attempts, TheQueueIsGroupedByNumberAndCountedPerAgent) {
  UnresolvedRepository items(db_);
  std::int64_t job = 100;
  auto open = [&](const std::string& phone, const std::string& agent) {
    UnresolvedItem i;
    i.tenant_id = "t";
    i.connection_id = "c1";
    i.job_id = ++job;
    i.event_seq = job;
    i.conversation_key = "call:" + std::to_string(job);
    i.kind = "call";
    i.phone_e164 = phone;
    i.agent = agent;
    i.reason = "multiple_matches";
    i.detail = boost::json::object{{"message", "two"}};
    ASSERT_TRUE(items.open(i));
  };
  for (int k = 0; k < 5; ++k) open("+14155550001", "101");
  for (int k = 0; k < 3; ++k) open("+14155550002", "102");
  open("+14155550003", "101");
  auto groups = items.open_groups("t", "", 0, 2);
  ASSERT_TRUE(groups) << groups.error().message;
  ASSERT_EQ(groups.value().size(), 2u);
  EXPECT_EQ(groups.value()[0].phone_e164, "+14155550001");
  EXPECT_EQ(groups.value()[0].count, 5);
  EXPECT_EQ(groups.value()[1].count, 3);
  auto rest = items.open_groups("t", "", 2, 2);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest.value().size(), 1u);
  EXPECT_EQ(rest.value()[0].phone_e164, "+14155550003");
  EXPECT_EQ(items.count_open_groups("t", "").value(), 3);
  EXPECT_EQ(items.count_open_groups("t", "102").value(), 1);
  EXPECT_EQ(items.count_open_for_agent("t", "101").value(), 6);
  EXPECT_EQ(items.count_open_for_agent("t", "999").value(), 0);

  // The dashboard counts what was queued (today) and what still waits.
  auto rows = repo_->daily(StatsQuery{"t", "101", "", 0});
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows.value().size(), 1u);
  EXPECT_EQ(rows.value()[0].queued, 6);
  EXPECT_EQ(rows.value()[0].still_open, 6);
}

INSTANTIATE_TEST_SUITE_P(Engines, Attempts, ::testing::Values("sqlite", "postgresql"));

} // namespace
} // namespace appconnect::store
