// The store on a real SQLite file: migrations, idempotent event intake, job ordering and leases.
// (The same repositories run on PostgreSQL in the integration suite.)
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/repositories.hpp"

#include <Poco/Data/Session.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

using namespace Poco::Data::Keywords;

namespace appconnect::store {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("appconnect-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto db = Database::open("sqlite:" + (dir_ / "test.db").string(), 4);
    ASSERT_TRUE(db) << db.error().message;
    db_ = db.value();
    auto v = migrate(*db_);
    ASSERT_TRUE(v) << v.error().message;
    TenantRepository tenants(db_);
    ASSERT_TRUE(tenants.upsert({"t1", "Tenant one", {}}));
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  NewEvent event(const std::string& id, const std::string& key, std::vector<std::string> connections = {"c1"}) {
    return NewEvent{"t1", id, "call", key, R"({"id":")" + id + R"("})", std::move(connections)};
  }

  std::filesystem::path dir_;
  std::shared_ptr<Database> db_;
};

TEST_F(StoreTest, MigrationsReachTheNewestVersionOnceAndRecordIt) {
  const int newest = migrations().back().version;
  auto again = migrate(*db_);
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value(), newest);
  auto s = db_->session();
  int rows = 0;
  *s << "SELECT COUNT(*) FROM schema_migrations", into(rows), now;
  EXPECT_EQ(rows, static_cast<int>(migrations().size()));
  std::string mode;
  *s << "PRAGMA journal_mode", into(mode), now;
  EXPECT_EQ(mode, "wal");
}

TEST_F(StoreTest, RefusesADatabaseFromANewerHost) {
  {
    auto s = db_->session();
    *s << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)", now;
  }
  auto v = migrate(*db_);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("newer than this host"), std::string::npos);
}

TEST_F(StoreTest, EventsAreIdempotentOnTenantAndId) {
  EventRepository events(db_);
  auto first = events.store(event("e1", "call:s1:101", {"c1", "c2"}));
  ASSERT_TRUE(first);
  EXPECT_FALSE(first.value().duplicate);
  EXPECT_EQ(first.value().jobs_created, 2);
  auto second = events.store(event("e1", "call:s1:101", {"c1", "c2"}));
  ASSERT_TRUE(second);
  EXPECT_TRUE(second.value().duplicate);
  EXPECT_EQ(second.value().seq, first.value().seq);
  EXPECT_EQ(second.value().jobs_created, 0);
  JobRepository jobs(db_);
  EXPECT_EQ(jobs.count_in_state("pending").value(), 2);
  auto row = events.get("t1", "e1");
  ASSERT_TRUE(row && row.value());
  EXPECT_EQ(row.value()->conversation_key, "call:s1:101");
}

TEST_F(StoreTest, JobsOfOneConversationRunInOrder) {
  EventRepository events(db_);
  JobRepository jobs(db_);
  ASSERT_TRUE(events.store(event("e1", "k1")));
  ASSERT_TRUE(events.store(event("e2", "k1")));
  ASSERT_TRUE(events.store(event("e3", "k2")));
  auto a = jobs.claim("w1", 60000);
  ASSERT_TRUE(a && a.value());
  EXPECT_EQ(a.value()->conversation_key, "k1");
  // The second job of k1 must wait for the first: the next claim takes k2.
  auto b = jobs.claim("w2", 60000);
  ASSERT_TRUE(b && b.value());
  EXPECT_EQ(b.value()->conversation_key, "k2");
  auto none = jobs.claim("w3", 60000);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none.value().has_value());
  ASSERT_TRUE(jobs.complete(a.value()->id, R"({"action":"created"})"));
  auto c = jobs.claim("w3", 60000);
  ASSERT_TRUE(c && c.value());
  EXPECT_EQ(c.value()->conversation_key, "k1");
  EXPECT_GT(c.value()->id, a.value()->id);
}

TEST_F(StoreTest, AnExpiredLeaseMakesTheJobRunnableAgain) {
  EventRepository events(db_);
  JobRepository jobs(db_);
  ASSERT_TRUE(events.store(event("e1", "k1")));
  auto a = jobs.claim("dead-worker", 1);
  ASSERT_TRUE(a && a.value());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto b = jobs.claim("live-worker", 60000);
  ASSERT_TRUE(b && b.value());
  EXPECT_EQ(b.value()->id, a.value()->id);
  EXPECT_EQ(b.value()->attempts, 2);
}

TEST_F(StoreTest, RetryLaterWaitsAndParkKeepsTheReason) {
  EventRepository events(db_);
  JobRepository jobs(db_);
  ASSERT_TRUE(events.store(event("e1", "k1")));
  auto a = jobs.claim("w", 60000);
  ASSERT_TRUE(a && a.value());
  ASSERT_TRUE(jobs.retry_later(a.value()->id, R"({"code":"unavailable"})", now_ms() + 60000));
  auto none = jobs.claim("w", 60000);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none.value().has_value()) << "a job must not run before its next attempt time";
  ASSERT_TRUE(jobs.park(a.value()->id, "failed", R"({"code":"validation"})"));
  auto list = jobs.list_for_event(a.value()->event_seq);
  ASSERT_TRUE(list);
  ASSERT_EQ(list.value().size(), 1u);
  EXPECT_EQ(list.value()[0].state, "failed");
  EXPECT_EQ(list.value()[0].last_error, R"({"code":"validation"})");
}

TEST_F(StoreTest, ReleaseGivesAJobBackWithoutCountingTheAttempt) {
  EventRepository events(db_);
  JobRepository jobs(db_);
  ASSERT_TRUE(events.store(event("e1", "k1")));
  auto a = jobs.claim("w", 60000);
  ASSERT_TRUE(a && a.value());
  ASSERT_TRUE(jobs.release(a.value()->id));
  auto b = jobs.claim("w", 60000);
  ASSERT_TRUE(b && b.value());
  EXPECT_EQ(b.value()->attempts, 1);
}

TEST_F(StoreTest, LogRecordsMapAConversationToOneCrmRecord) {
  LogRecordRepository records(db_);
  auto none = records.find("c1", "k1");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none.value().has_value());
  ASSERT_TRUE(records.save({"c1", "k1", "t1", "call", "00T1", "Task", "u1"}));
  ASSERT_TRUE(records.save({"c1", "k1", "t1", "call", "00T2", "Task", "u2"}));
  auto found = records.find("c1", "k1");
  ASSERT_TRUE(found && found.value());
  EXPECT_EQ(found.value()->crm_record_id, "00T2");
}

TEST_F(StoreTest, ConnectionAuthUpdateMergesSettings) {
  ConnectionRepository connections(db_);
  ASSERT_TRUE(connections.upsert({"c1", "t1", "salesforce", {{"login_url", "http://x"}}, {{"refresh_token", "r"}}, true}));
  ASSERT_TRUE(connections.update_auth("c1", {{"refresh_token", "r"}, {"access_token", "a"}},
                                      {{"instance_url", "http://y"}}));
  auto c = connections.get("c1");
  ASSERT_TRUE(c && c.value());
  EXPECT_EQ(c.value()->settings.at("login_url").as_string(), "http://x");
  EXPECT_EQ(c.value()->settings.at("instance_url").as_string(), "http://y");
  EXPECT_EQ(c.value()->credentials.at("access_token").as_string(), "a");
  EXPECT_FALSE(connections.update_auth("missing", {}, {}));
}

TEST_F(StoreTest, ConcurrentClaimsNeverHandOutOneJobTwice) {
  EventRepository events(db_);
  JobRepository jobs(db_);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(events.store(event("e" + std::to_string(i), "k" + std::to_string(i))));
  std::mutex m;
  std::vector<std::int64_t> claimed;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (;;) {
        auto j = jobs.claim("w" + std::to_string(t), 60000);
        if (!j || !j.value()) return;
        std::lock_guard lock(m);
        claimed.push_back(j.value()->id);
      }
    });
  for (auto& th : threads) th.join();
  std::sort(claimed.begin(), claimed.end());
  EXPECT_EQ(claimed.size(), 40u);
  EXPECT_EQ(std::adjacent_find(claimed.begin(), claimed.end()), claimed.end());
}

TEST(DatabaseUrl, RejectsUnknownSchemesClearly) {
  auto db = Database::open("mysql://nope");
  ASSERT_FALSE(db);
  EXPECT_NE(db.error().message.find("sqlite: or postgresql:"), std::string::npos);
}

} // namespace
} // namespace appconnect::store
