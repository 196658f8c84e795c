// The store on both engines: a real SQLite file, and a real PostgreSQL server the test process starts
// itself (support/pg_cluster.hpp; one server per test process, a fresh database per test). Migrations,
// idempotent event intake, job ordering and leases, and the concurrency several host processes sharing
// one database rely on.
#include "ingest/group_commit.hpp"
#include "store/attempts.hpp"
#include "store/database.hpp"
#include "store/housekeeping.hpp"
#include "store/matching_repositories.hpp"
#include "store/migrations.hpp"
#include "store/repositories.hpp"
#include "store/webhook_inbox.hpp"
#include "support/pg_cluster.hpp"

#include <Poco/Data/DataException.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace Poco::Data::Keywords;

namespace appconnect::store {
namespace {

constexpr const char* kSqlite = "sqlite";
constexpr const char* kPostgres = "postgresql";

// Opens fresh, empty databases for the engine under test: SQLite files in a temp dir, PostgreSQL
// databases on the shared test server.
class FreshDatabases {
 public:
  explicit FreshDatabases(std::string engine) : engine_(std::move(engine)) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    name_ = std::string(info->test_suite_name()) + "_" + info->name();
    std::replace(name_.begin(), name_.end(), '/', '_');
    if (engine_ == kSqlite) {
      dir_ = std::filesystem::path(::testing::TempDir()) /
             ("appconnect-store-" + std::to_string(::getpid()) + "-" + name_);
      std::filesystem::remove_all(dir_);
    }
  }
  ~FreshDatabases() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // A URL of a new empty database. Throws (failing the test) if the PostgreSQL server cannot start.
  std::string make_url() {
    const int n = ++count_;
    if (engine_ == kSqlite) return "sqlite:" + (dir_ / ("test" + std::to_string(n) + ".db")).string();
    static std::atomic<int> serial{0};
    // Unique in the process (a test binary run directly runs every test against one server).
    return appconnect::testing::shared_pg_cluster().create_database("s" + std::to_string(++serial) + "_" + name_);
  }

 private:
  std::string engine_;
  std::string name_;
  std::filesystem::path dir_;
  int count_ = 0;
};

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    fresh_ = std::make_unique<FreshDatabases>(GetParam());
    url_ = fresh_->make_url();
    auto db = Database::open(url_, 4);
    ASSERT_TRUE(db) << db.error().message;
    db_ = db.value();
    ASSERT_EQ(db_->dialect(), postgres() ? Dialect::kPostgres : Dialect::kSqlite);
    auto v = migrate(*db_);
    ASSERT_TRUE(v) << v.error().message;
    TenantRepository tenants(db_);
    ASSERT_TRUE(tenants.upsert({"t1", "Tenant one", {}}));
  }
  void TearDown() override {
    db_.reset();
    fresh_.reset();
  }

  bool postgres() const { return GetParam() == kPostgres; }

  NewEvent event(const std::string& id, const std::string& key, std::vector<std::string> connections = {"c1"}) {
    return NewEvent{"t1", id, "call", key, R"({"id":")" + id + R"("})", std::move(connections)};
  }

  std::shared_ptr<Database> open_another(int pool_size = 4) {
    auto db = Database::open(url_, pool_size);
    EXPECT_TRUE(db) << db.error().message;
    return db ? db.value() : nullptr;
  }

  std::unique_ptr<FreshDatabases> fresh_;
  std::string url_;
  std::shared_ptr<Database> db_;
};

INSTANTIATE_TEST_SUITE_P(Engines, StoreTest, ::testing::Values(kSqlite, kPostgres),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST_P(StoreTest, MigrationsReachTheNewestVersionOnceAndRecordIt) {
  const int newest = migrations().back().version;
  auto again = migrate(*db_);
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value(), newest);
  auto version = schema_version(*db_);
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(version.value(), newest);
  auto s = db_->session();
  int rows = 0;
  *s << "SELECT COUNT(*) FROM schema_migrations", into(rows), now;
  EXPECT_EQ(rows, static_cast<int>(migrations().size()));
  if (postgres()) {
    std::string server;
    *s << "SHOW server_version_num", into(server), now;
    EXPECT_GE(std::stoi(server), 150000);
  } else {
    std::string mode;
    *s << "PRAGMA journal_mode", into(mode), now;
    EXPECT_EQ(mode, "wal");
  }
}

TEST_P(StoreTest, RefusesADatabaseFromANewerHost) {
  {
    auto s = db_->session();
    *s << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)", now;
  }
  auto v = migrate(*db_);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("newer than this host"), std::string::npos);
}

TEST_P(StoreTest, PlaceholdersAreRewrittenForTheDialect) {
  const std::string text = "SELECT a FROM t WHERE b = ? AND c = '?' AND d = 'it''s?' AND e = ?";
  if (postgres())
    EXPECT_EQ(db_->sql(text), "SELECT a FROM t WHERE b = $1 AND c = '?' AND d = 'it''s?' AND e = $2");
  else
    EXPECT_EQ(db_->sql(text), text);
}

TEST_P(StoreTest, EventsAreIdempotentOnTenantAndId) {
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
  auto by_seq = events.get_by_seq(first.value().seq);
  ASSERT_TRUE(by_seq && by_seq.value());
  EXPECT_EQ(by_seq.value()->event_id, "e1");
  EXPECT_EQ(by_seq.value()->payload, R"({"id":"e1"})");
  EXPECT_GT(by_seq.value()->received_at, 0);
}

TEST_P(StoreTest, ABatchStoresEachEventOnceWithJobsForTheConnectionsEnabledThen) {
  ConnectionRepository connections(db_);
  TenantRepository tenants(db_);
  ASSERT_TRUE(tenants.upsert({"t2", "Tenant two", {}}));
  ASSERT_TRUE(connections.upsert({"c1", "t1", "salesforce", {}, {}, true}));
  ASSERT_TRUE(connections.upsert({"c2", "t1", "hubspot", {}, {}, false}));
  ASSERT_TRUE(connections.upsert({"c3", "t2", "zoho", {}, {}, true}));
  ASSERT_TRUE(connections.upsert({"c4", "t1", "zoho", {}, {}, true}));
  NewEvent a = event("a", "k1", {}), b = event("b", "k2", {}), again = event("a", "k1", {});
  for (NewEvent* e : {&a, &b, &again}) e->to_enabled_connections = true;
  EventRepository events(db_);
  auto stored = events.store_batch({&a, &b, &again});
  ASSERT_TRUE(stored) << stored.error().message;
  ASSERT_EQ(stored.value().size(), 3u);
  EXPECT_FALSE(stored.value()[0].duplicate);
  EXPECT_FALSE(stored.value()[1].duplicate);
  EXPECT_TRUE(stored.value()[2].duplicate); // the same id twice in one batch is stored once
  EXPECT_EQ(stored.value()[2].seq, stored.value()[0].seq);
  EXPECT_EQ(stored.value()[0].jobs_created, 2); // c1 and c4: c2 is disabled, c3 is another tenant's
  EXPECT_EQ(stored.value()[2].jobs_created, 0);
  EXPECT_EQ(events.get("t1", "b").value()->seq, stored.value()[1].seq);
  JobRepository jobs(db_);
  EXPECT_EQ(jobs.count_in_state("pending").value(), 4);
  std::set<std::string> on;
  auto made = jobs.list_for_event(stored.value()[0].seq);
  ASSERT_TRUE(made) << made.error().message;
  for (const auto& j : made.value()) on.insert(j.connection_id);
  EXPECT_EQ(on, (std::set<std::string>{"c1", "c4"}));
}

TEST_P(StoreTest, GroupCommitAnswersEveryConcurrentCallerWithItsOwnEvent) {
  // 16 threads storing at once through one GroupCommit: every caller gets the sequence number of its
  // own event (not a neighbour's in the same transaction), resends are duplicates, nothing is lost.
  auto events = std::make_shared<EventRepository>(db_);
  ingest::GroupCommit commits(events, 8);
  constexpr int kThreads = 16, kEach = 40;
  std::atomic<int> wrong{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string id = "g" + std::to_string(t) + "-" + std::to_string(i);
        // Every fourth request is a group message of two parts (one per recipient).
        std::vector<NewEvent> parts{event(id, "k" + std::to_string(t))};
        if (i % 4 == 0) parts.push_back(event(id + "-b", "k" + std::to_string(t) + "b"));
        auto stored = commits.store(parts);
        if (!stored || stored.value().size() != parts.size()) {
          ++failed;
          continue;
        }
        for (std::size_t p = 0; p < parts.size(); ++p) {
          auto row = events->get("t1", parts[p].event_id);
          if (!row || !row.value() || row.value()->seq != stored.value()[p].seq || stored.value()[p].duplicate) ++wrong;
        }
        auto resent = commits.store({event(id, "k" + std::to_string(t))});
        if (!resent || !resent.value().front().duplicate) ++wrong;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
  const int expected = kThreads * kEach + kThreads * (kEach / 4);
  EXPECT_EQ(JobRepository(db_).count_in_state("pending").value(), expected);
  const auto stats = commits.stats();
  EXPECT_EQ(stats.events, static_cast<std::uint64_t>(expected + kThreads * kEach));
  EXPECT_LE(stats.transactions, stats.events);
}

TEST_P(StoreTest, RecentRowsSeeThisProcessesWritesAtOnceAndAnothersWithinTheirMaxAge) {
  ConnectionRepository connections(db_);
  TenantRepository tenants(db_);
  ASSERT_TRUE(connections.upsert({"c1", "t1", "salesforce", {}, {{"access_token", "A"}}, true}));
  ASSERT_EQ(connections.get_recent("c1").value()->credentials.at("access_token"), "A");
  ASSERT_TRUE(connections.update_auth("c1", {{"access_token", "B"}}, {}));
  EXPECT_EQ(connections.get_recent("c1").value()->credentials.at("access_token"), "B");
  ASSERT_TRUE(connections.update("c1", std::nullopt, std::nullopt, false));
  EXPECT_FALSE(connections.get_recent("c1").value()->enabled);
  EXPECT_EQ(tenants.get_recent("t1").value()->name, "Tenant one");
  ASSERT_TRUE(tenants.upsert({"t1", "Renamed", {}}));
  EXPECT_EQ(tenants.get_recent("t1").value()->name, "Renamed");

  // Another host on the same database changes the rows: seen within kRecentMs, at once by get().
  auto other = open_another();
  ASSERT_TRUE(other);
  ASSERT_TRUE(ConnectionRepository(other).update_auth("c1", {{"access_token", "C"}}, {}));
  ASSERT_TRUE(TenantRepository(other).upsert({"t1", "Renamed elsewhere", {}}));
  std::this_thread::sleep_for(std::chrono::milliseconds(TenantRepository::kRecentMs + 50));
  EXPECT_EQ(connections.get_recent("c1").value()->credentials.at("access_token"), "C");
  EXPECT_EQ(tenants.get_recent("t1").value()->name, "Renamed elsewhere");
  ASSERT_TRUE(ConnectionRepository(other).update_auth("c1", {{"access_token", "D"}}, {}));
  EXPECT_EQ(connections.get("c1").value()->credentials.at("access_token"), "D");
  EXPECT_EQ(connections.get_recent("c1").value()->credentials.at("access_token"), "D"); // get() refreshed it
  ASSERT_TRUE(connections.remove("c1"));
  EXPECT_FALSE(connections.get_recent("c1").value());
}

TEST_P(StoreTest, AResendWithAnotherConversationKeyIsStillADuplicate) {
  EventRepository events(db_);
  auto first = events.store(event("e1", "k1"));
  ASSERT_TRUE(first) << first.error().message;
  auto resent = events.store(event("e1", "k2"));
  ASSERT_TRUE(resent) << resent.error().message;
  EXPECT_TRUE(resent.value().duplicate);
  EXPECT_EQ(resent.value().seq, first.value().seq);
}

TEST_P(StoreTest, JobsOfOneConversationRunInOrder) {
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
  ASSERT_TRUE(jobs.complete(a.value()->id, a.value()->lease(), R"({"action":"created"})"));
  auto c = jobs.claim("w3", 60000);
  ASSERT_TRUE(c && c.value());
  EXPECT_EQ(c.value()->conversation_key, "k1");
  EXPECT_GT(c.value()->id, a.value()->id);
}

TEST_P(StoreTest, AnExpiredLeaseMakesTheJobRunnableAgain) {
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

TEST_P(StoreTest, RetryLaterWaitsAndParkKeepsTheReason) {
  EventRepository events(db_);
  JobRepository jobs(db_);
  ASSERT_TRUE(events.store(event("e1", "k1")));
  auto a = jobs.claim("w", 60000);
  ASSERT_TRUE(a && a.value());
  ASSERT_TRUE(jobs.retry_later(a.value()->id, a.value()->lease(), R"({"code":"unavailable"})", now_ms() + 60000));
  auto none = jobs.claim("w", 60000);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none.value().has_value()) << "a job must not run before its next attempt time";
  // The lease ended with the retry: parking now needs a new claim.
  auto none_held = jobs.park(a.value()->id, a.value()->lease(), "failed", R"({"code":"validation"})");
  ASSERT_FALSE(none_held);
  EXPECT_EQ(none_held.error().code, kLeaseLost);
  {
    auto s = db_->session();
    Poco::Int64 at = 0, id = a.value()->id;
    *s << db_->sql("UPDATE jobs SET next_attempt_at = ? WHERE id = ?"), use(at), use(id), now;
  }
  auto again = jobs.claim("w", 60000);
  ASSERT_TRUE(again && again.value());
  EXPECT_EQ(again.value()->attempts, 2);
  ASSERT_TRUE(jobs.park(a.value()->id, again.value()->lease(), "failed", R"({"code":"validation"})"));
  auto list = jobs.list_for_event(a.value()->event_seq);
  ASSERT_TRUE(list);
  ASSERT_EQ(list.value().size(), 1u);
  EXPECT_EQ(list.value()[0].state, "failed");
  EXPECT_EQ(list.value()[0].last_error, R"({"code":"validation"})");
  EXPECT_EQ(list.value()[0].outcome, "");
  EXPECT_EQ(jobs.count_in_state("failed").value(), 1);
}

TEST_P(StoreTest, ReleaseGivesAJobBackWithoutCountingTheAttempt) {
  EventRepository events(db_);
  JobRepository jobs(db_);
  ASSERT_TRUE(events.store(event("e1", "k1")));
  auto a = jobs.claim("w", 60000);
  ASSERT_TRUE(a && a.value());
  ASSERT_TRUE(jobs.release(a.value()->id, a.value()->lease()));
  auto b = jobs.claim("w", 60000);
  ASSERT_TRUE(b && b.value());
  EXPECT_EQ(b.value()->attempts, 1);
}

TEST_P(StoreTest, AWorkerWhoseLeaseExpiredCannotFinishTheJobAnotherWorkerTook) {
  EventRepository events(db_);
  JobRepository jobs(db_);
  UnresolvedRepository unresolved(db_);
  ASSERT_TRUE(events.store(event("e1", "k1")));
  auto stale = jobs.claim("slow-worker", 1);
  ASSERT_TRUE(stale && stale.value());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto fresh = jobs.claim("live-worker", 60000);
  ASSERT_TRUE(fresh && fresh.value());
  ASSERT_EQ(fresh.value()->id, stale.value()->id);
  EXPECT_EQ(fresh.value()->lease_owner, "live-worker");
  EXPECT_GT(fresh.value()->lease_expires_at, now_ms());
  const std::int64_t id = stale.value()->id;
  const Lease old = stale.value()->lease();

  // Every transition of the stale holder is refused and changes nothing.
  for (auto attempt :
       {jobs.complete(id, old, R"({"action":"created"})"),
        jobs.retry_later(id, old, R"({"code":"unavailable"})", now_ms()),
        jobs.park(id, old, "failed", R"({"code":"validation"})"), jobs.release(id, old), jobs.renew(id, old, 60000)}) {
    ASSERT_FALSE(attempt);
    EXPECT_EQ(attempt.error().code, kLeaseLost) << attempt.error().message;
  }
  UnresolvedItem item;
  item.tenant_id = "t1";
  item.connection_id = "c1";
  item.job_id = id;
  item.event_seq = stale.value()->event_seq;
  item.conversation_key = "k1";
  item.kind = "call";
  item.reason = "no_match";
  auto opened = unresolved.open(item, old);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, kLeaseLost);
  UnresolvedFilter open_items;
  open_items.tenant_id = "t1";
  EXPECT_TRUE(unresolved.list(open_items).value().empty());

  auto list = jobs.list_for_event(stale.value()->event_seq);
  ASSERT_TRUE(list && list.value().size() == 1u);
  EXPECT_EQ(list.value()[0].state, "running");
  EXPECT_EQ(list.value()[0].lease_owner, "live-worker");

  // The same owner name with an older attempt number (a restarted process that got the same pid) is
  // not the holder either.
  EXPECT_FALSE(jobs.complete(id, Lease{"live-worker", fresh.value()->attempts - 1}, "{}"));
  // The holder renews and finishes.
  ASSERT_TRUE(jobs.renew(id, fresh.value()->lease(), 60000));
  ASSERT_TRUE(jobs.complete(id, fresh.value()->lease(), R"({"action":"created"})"));
  EXPECT_EQ(jobs.count_in_state("done").value(), 1);
  // Done is final for everyone.
  EXPECT_FALSE(jobs.complete(id, fresh.value()->lease(), "{}"));
}

// A job's new state, its attempt row and its audit entry commit together (WorkerPool::finish): what the
// transition runs inside its transaction is kept with it, and when that fails the transition is undone.
TEST_P(StoreTest, WritesAddedToAJobTransitionCommitOrRollBackWithIt) {
  EventRepository events(db_);
  JobRepository jobs(db_);
  AttemptRepository attempts(db_);
  ASSERT_TRUE(events.store(event("e1", "k1")));
  auto held = jobs.claim("w", 60000);
  ASSERT_TRUE(held && held.value());
  const JobRow job = *held.value();
  AttemptRow row;
  row.job_id = job.id;
  row.tenant_id = job.tenant_id;
  row.connection_id = job.connection_id;
  row.attempt = job.attempts;
  row.result = "logged";
  // The added write fails: nothing of the transition stays, the job is still running under its lease.
  auto failed = jobs.complete(job.id, job.lease(), R"({"action":"created"})", [&](Poco::Data::Session& s) {
    attempts.record_in(s, row);
    throw Poco::Data::DataException("the audit append failed");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(jobs.get(job.id).value()->state, "running");
  EXPECT_TRUE(attempts.list_for_job(job.id).value().empty());
  // It succeeds: the job is done and its attempt row is there.
  ASSERT_TRUE(jobs.complete(job.id, job.lease(), R"({"action":"created"})",
                            [&](Poco::Data::Session& s) { attempts.record_in(s, row); }));
  EXPECT_EQ(jobs.get(job.id).value()->state, "done");
  ASSERT_EQ(attempts.list_for_job(job.id).value().size(), 1u);
  // A transition refused (the lease is gone) does not run the added writes at all.
  bool ran = false;
  EXPECT_FALSE(jobs.complete(job.id, job.lease(), "{}", [&](Poco::Data::Session&) { ran = true; }));
  EXPECT_FALSE(ran);
}

TEST_P(StoreTest, AnUnresolvedJobIsParkedOnlyByItsHolder) {
  EventRepository events(db_);
  JobRepository jobs(db_);
  UnresolvedRepository unresolved(db_);
  ASSERT_TRUE(events.store(event("e1", "k1")));
  auto held = jobs.claim("w", 60000);
  ASSERT_TRUE(held && held.value());
  UnresolvedItem item;
  item.tenant_id = "t1";
  item.connection_id = "c1";
  item.job_id = held.value()->id;
  item.event_seq = held.value()->event_seq;
  item.conversation_key = "k1";
  item.kind = "call";
  item.reason = "no_match";
  auto opened = unresolved.open(item, held.value()->lease());
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(jobs.count_in_state("unresolved").value(), 1);
}

TEST_P(StoreTest, ARenewedLeaseKeepsTheJobFromOtherWorkers) {
  EventRepository events(db_);
  JobRepository jobs(db_);
  ASSERT_TRUE(events.store(event("e1", "k1")));
  auto held = jobs.claim("w1", 300);
  ASSERT_TRUE(held && held.value());
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    ASSERT_TRUE(jobs.renew(held.value()->id, held.value()->lease(), 300));
  }
  auto other = jobs.claim("w2", 60000);
  ASSERT_TRUE(other);
  EXPECT_FALSE(other.value().has_value()) << "a renewed lease was taken over";
  // Without renewal it runs out and the job moves on; a late renewal does not take it back.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  auto late = jobs.renew(held.value()->id, held.value()->lease(), 300);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, kLeaseLost);
  auto taken = jobs.claim("w2", 60000);
  ASSERT_TRUE(taken && taken.value());
  EXPECT_EQ(taken.value()->id, held.value()->id);
}

TEST_P(StoreTest, ARetryThatDidNotReachTheCrmDoesNotUseAnAttempt) {
  EventRepository events(db_);
  JobRepository jobs(db_);
  ASSERT_TRUE(events.store(event("e1", "k1")));
  for (int i = 0; i < 3; ++i) {
    auto held = jobs.claim("w", 60000);
    ASSERT_TRUE(held && held.value());
    EXPECT_EQ(held.value()->attempts, 1);
    ASSERT_TRUE(jobs.retry_later(held.value()->id, held.value()->lease(), R"({"code":"circuit_open"})", 0, false));
  }
}

TEST_P(StoreTest, HousekeepingDeletesOnlyFinishedWorkOlderThanTheRetention) {
  EventRepository events(db_);
  JobRepository jobs(db_);
  for (const char* id : {"old-done", "old-failed", "old-pending", "new-done"})
    ASSERT_TRUE(events.store(event(id, std::string("k-") + id)));
  auto finish = [&](const std::string& state) {
    auto j = jobs.claim("w", 60000);
    ASSERT_TRUE(j && j.value());
    if (state == "done")
      ASSERT_TRUE(jobs.complete(j.value()->id, j.value()->lease(), "{}"));
    else
      ASSERT_TRUE(jobs.park(j.value()->id, j.value()->lease(), state, "{}"));
  };
  finish("done");   // old-done
  finish("failed"); // old-failed
  {
    // Age the first three events and jobs; the fourth stays recent.
    auto s = db_->session();
    *s << "UPDATE events SET received_at = 1 WHERE event_id <> 'new-done'", now;
    *s << "UPDATE jobs SET updated_at = 1 WHERE conversation_key <> 'k-new-done'", now;
    *s << "UPDATE jobs SET next_attempt_at = 99999999999999 WHERE conversation_key = 'k-old-pending'", now;
  }
  finish("done"); // new-done
  auto purged = purge_finished(*db_, now_ms() - 60000, 100);
  ASSERT_TRUE(purged) << purged.error().message;
  EXPECT_EQ(purged.value().jobs, 1);
  EXPECT_EQ(purged.value().events, 1);
  EXPECT_FALSE(events.get("t1", "old-done").value().has_value());
  for (const char* kept : {"old-failed", "old-pending", "new-done"})
    EXPECT_TRUE(events.get("t1", kept).value().has_value()) << kept;
  EXPECT_EQ(jobs.count_in_state("failed").value(), 1);
  EXPECT_EQ(jobs.count_in_state("pending").value(), 1);
  EXPECT_EQ(jobs.count_in_state("done").value(), 1);
  ASSERT_TRUE(checkpoint(*db_));
}

TEST_P(StoreTest, LogRecordsMapAConversationToOneCrmRecord) {
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

TEST_P(StoreTest, ConnectionAuthUpdateMergesSettings) {
  ConnectionRepository connections(db_);
  ASSERT_TRUE(
      connections.upsert({"c1", "t1", "salesforce", {{"login_url", "http://x"}}, {{"refresh_token", "r"}}, true}));
  ASSERT_TRUE(
      connections.update_auth("c1", {{"refresh_token", "r"}, {"access_token", "a"}}, {{"instance_url", "http://y"}}));
  auto c = connections.get("c1");
  ASSERT_TRUE(c && c.value());
  EXPECT_EQ(c.value()->settings.at("login_url").as_string(), "http://x");
  EXPECT_EQ(c.value()->settings.at("instance_url").as_string(), "http://y");
  EXPECT_EQ(c.value()->credentials.at("access_token").as_string(), "a");
  EXPECT_FALSE(connections.update_auth("missing", {}, {}));
}

TEST_P(StoreTest, TenantsAndConnectionsRoundTrip) {
  TenantRepository tenants(db_);
  ASSERT_TRUE(tenants.upsert({"t1", "Renamed", {{"region", "eu"}}}));
  ASSERT_TRUE(tenants.upsert({"t2", "Tenant two", {}}));
  auto t = tenants.get("t1");
  ASSERT_TRUE(t && t.value());
  EXPECT_EQ(t.value()->name, "Renamed");
  EXPECT_EQ(t.value()->settings.at("region").as_string(), "eu");
  EXPECT_FALSE(tenants.get("nope").value().has_value());
  EXPECT_EQ(tenants.list().value().size(), 2u);

  ConnectionRepository connections(db_);
  ASSERT_TRUE(connections.upsert({"c2", "t1", "salesforce", {}, {}, false}));
  ASSERT_TRUE(connections.upsert({"c1", "t1", "salesforce", {}, {}, true}));
  ASSERT_TRUE(connections.upsert({"c3", "t2", "hubspot", {}, {}, true}));
  auto mine = connections.list_for_tenant("t1");
  ASSERT_TRUE(mine) << mine.error().message;
  ASSERT_EQ(mine.value().size(), 2u);
  EXPECT_EQ(mine.value()[0].id, "c1");
  EXPECT_TRUE(mine.value()[0].enabled);
  EXPECT_FALSE(mine.value()[1].enabled);
  EXPECT_EQ(connections.list_all().value().size(), 3u);
}

TEST_P(StoreTest, AFailedWriteRollsBackAndLeavesTheSessionUsable) {
  // One session only: the failed transaction must not leave it inside an aborted transaction.
  auto single = open_another(1);
  ASSERT_TRUE(single);
  ConnectionRepository connections(single);
  auto bad = connections.upsert({"c9", "no-such-tenant", "salesforce", {}, {}, true});
  ASSERT_FALSE(bad) << "the tenant foreign key must be enforced";
  ASSERT_TRUE(connections.upsert({"c1", "t1", "salesforce", {}, {}, true}));
  EXPECT_FALSE(connections.get("c9").value().has_value());
  EXPECT_TRUE(connections.get("c1").value().has_value());
}

TEST_P(StoreTest, ConcurrentClaimsNeverHandOutOneJobTwice) {
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

// Workers that claim, "work" briefly and complete jobs until `total` jobs are done, recording what
// would break the job contract: a job handed out twice, two jobs of one conversation (per connection)
// running at once, or (unless jobs are parked) a conversation's jobs claimed out of id order. With
// `park_every` = n, every n-th job is parked as unresolved on its first run instead of completed, as the
// matching stage does when a person must pick the contact; something must then put it back to pending.
class ClaimAudit {
 public:
  struct Options {
    int threads = 8;
    int total = 0;
    int park_every = 0;
    std::function<void()> alongside; // runs on the calling thread while the workers work
  };

  void run(const std::vector<std::shared_ptr<Database>>& processes, const Options& options) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::vector<std::thread> workers;
    for (int t = 0; t < options.threads; ++t)
      workers.emplace_back([&, t] {
        JobRepository jobs(processes[static_cast<std::size_t>(t) % processes.size()]);
        const std::string worker = "w" + std::to_string(t);
        while (done_.load() < options.total && std::chrono::steady_clock::now() < deadline) {
          auto j = jobs.claim(worker, 60000);
          if (!j) {
            fail("claim failed: " + j.error().message);
            return;
          }
          if (!j.value()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
          }
          const JobRow job = *j.value();
          const std::string conversation = job.connection_id + "|" + job.conversation_key;
          bool park = false;
          {
            std::lock_guard lock(mutex_);
            if (!claimed_.insert(job.id).second) violations_.push_back("job " + std::to_string(job.id) + " twice");
            if (auto it = running_.find(conversation); it != running_.end())
              violations_.push_back("jobs " + std::to_string(it->second) + " and " + std::to_string(job.id) + " of " +
                                    conversation + " running at once");
            running_[conversation] = job.id;
            order_[conversation].push_back(job.id);
            park = options.park_every > 0 && job.id % options.park_every == 0 && parked_.insert(job.id).second;
            if (park) claimed_.erase(job.id); // it will be handed out again once decided
          }
          std::this_thread::sleep_for(std::chrono::microseconds(200 + 100 * (job.id % 5)));
          {
            // Off the books before it is marked done: from then on the next job may be claimed.
            std::lock_guard lock(mutex_);
            running_.erase(conversation);
          }
          auto finished = park ? jobs.park(job.id, job.lease(), "unresolved", R"({"code":"ambiguous"})")
                               : jobs.complete(job.id, job.lease(), R"({"action":"created"})");
          if (!finished) {
            fail("finishing a job failed: " + finished.error().message);
            return;
          }
          if (!park) ++done_;
        }
      });
    if (options.alongside) options.alongside();
    for (auto& w : workers) w.join();
    if (options.park_every == 0)
      for (const auto& [conversation, ids] : order_)
        if (!std::is_sorted(ids.begin(), ids.end())) violations_.push_back(conversation + " claimed out of order");
  }

  bool all_done(int total) const { return done_.load() >= total; }
  std::size_t claimed() const { return claimed_.size(); }
  std::size_t parked() const { return parked_.size(); }
  const std::map<std::string, std::vector<std::int64_t>>& order() const { return order_; }
  const std::vector<std::string>& violations() const { return violations_; }

 private:
  void fail(const std::string& what) {
    std::lock_guard lock(mutex_);
    violations_.push_back(what);
  }

  std::atomic<int> done_{0};
  std::mutex mutex_;
  std::set<std::int64_t> claimed_;
  std::set<std::int64_t> parked_;
  std::map<std::string, std::int64_t> running_;
  std::map<std::string, std::vector<std::int64_t>> order_;
  std::vector<std::string> violations_;
};

// What the unresolved queue does when a person decides: the parked job goes back to the workers.
void put_back_unresolved(Database& db, std::int64_t job_id = 0) {
  auto s = db.session();
  Poco::Int64 at = now_ms(), id = job_id;
  if (job_id == 0)
    *s << db.sql("UPDATE jobs SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE state = 'unresolved'"),
        use(at), now;
  else
    *s << db.sql("UPDATE jobs SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ?"), use(at), use(id),
        now;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size() && i < 20; ++i) out += lines[i] + "\n";
  return out;
}

TEST_P(StoreTest, ConcurrentClaimersKeepEveryConversationSerialAndInOrder) {
  // 200 jobs over 20 conversations, claimed by 8 threads of two "processes" (two Database objects, each
  // with its own sessions, as two hosts sharing the database would have).
  EventRepository events(db_);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(events.store(event("e" + std::to_string(i), "k" + std::to_string(i % 20))));
  std::vector<std::shared_ptr<Database>> processes = {open_another(), open_another()};
  ASSERT_TRUE(processes[0] && processes[1]);
  ClaimAudit audit;
  audit.run(processes, {8, 200, 0, {}});
  EXPECT_TRUE(audit.violations().empty()) << joined(audit.violations());
  EXPECT_EQ(audit.claimed(), 200u);
  EXPECT_EQ(audit.order().size(), 20u);
  for (const auto& [conversation, ids] : audit.order()) EXPECT_EQ(ids.size(), 10u) << conversation;
  JobRepository jobs(db_);
  EXPECT_EQ(jobs.count_in_state("done").value(), 200);
  EXPECT_EQ(jobs.count_in_state("pending").value(), 0);
  EXPECT_EQ(jobs.count_in_state("running").value(), 0);
}

TEST_P(StoreTest, EventsStoredWhileClaimingKeepConversationOrder) {
  // Intake by 4 threads of two "processes" races with 8 claimers: a conversation's jobs must still be
  // claimed one at a time and in id order, which needs them to become visible in id order.
  std::vector<std::shared_ptr<Database>> processes = {open_another(), open_another()};
  ASSERT_TRUE(processes[0] && processes[1]);
  constexpr int kProducers = 4, kPerProducer = 40, kTotal = kProducers * kPerProducer;
  std::atomic<int> store_failures{0};
  ClaimAudit audit;
  audit.run(processes, {8, kTotal, 0, [&] {
                          std::vector<std::thread> producers;
                          for (int p = 0; p < kProducers; ++p)
                            producers.emplace_back([&, p] {
                              EventRepository events(processes[static_cast<std::size_t>(p) % processes.size()]);
                              for (int i = 0; i < kPerProducer; ++i) {
                                const int n = p * kPerProducer + i;
                                if (!events.store(event("e" + std::to_string(n), "k" + std::to_string(i % 8))))
                                  ++store_failures;
                              }
                            });
                          for (auto& t : producers) t.join();
                        }});
  EXPECT_EQ(store_failures.load(), 0);
  EXPECT_TRUE(audit.violations().empty()) << joined(audit.violations());
  EXPECT_EQ(audit.claimed(), static_cast<std::size_t>(kTotal));
}

TEST_P(StoreTest, ADecidedJobWaitsForTheLaterJobOfItsConversationThatIsRunning) {
  // Unresolved does not hold up the conversation, so job 2 runs while job 1 waits for a person; when
  // job 1 is put back to pending it must not run beside job 2, and once job 2 is done it runs.
  EventRepository events(db_);
  JobRepository jobs(db_);
  ASSERT_TRUE(events.store(event("e1", "k1")));
  ASSERT_TRUE(events.store(event("e2", "k1")));
  auto first = jobs.claim("w1", 60000);
  ASSERT_TRUE(first && first.value());
  ASSERT_TRUE(jobs.park(first.value()->id, first.value()->lease(), "unresolved", R"({"code":"ambiguous"})"));
  auto second = jobs.claim("w2", 60000);
  ASSERT_TRUE(second && second.value());
  EXPECT_GT(second.value()->id, first.value()->id);
  put_back_unresolved(*db_, first.value()->id);
  auto blocked = jobs.claim("w3", 60000);
  ASSERT_TRUE(blocked);
  EXPECT_FALSE(blocked.value().has_value()) << "job " << blocked.value()->id << " ran beside the running job";
  ASSERT_TRUE(jobs.complete(second.value()->id, second.value()->lease(), "{}"));
  auto again = jobs.claim("w3", 60000);
  ASSERT_TRUE(again && again.value());
  EXPECT_EQ(again.value()->id, first.value()->id);
}

TEST_P(StoreTest, ADecidedJobGoesFirstWhenTheLaterJobsLeaseExpired) {
  EventRepository events(db_);
  JobRepository jobs(db_);
  ASSERT_TRUE(events.store(event("e1", "k1")));
  ASSERT_TRUE(events.store(event("e2", "k1")));
  auto first = jobs.claim("w1", 60000);
  ASSERT_TRUE(first && first.value());
  ASSERT_TRUE(jobs.park(first.value()->id, first.value()->lease(), "unresolved", "{}"));
  auto second = jobs.claim("dead-worker", 1);
  ASSERT_TRUE(second && second.value());
  put_back_unresolved(*db_, first.value()->id);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  // Both are claimable on their own; the earlier one goes first and the later one waits for it.
  auto a = jobs.claim("w2", 60000);
  ASSERT_TRUE(a && a.value());
  EXPECT_EQ(a.value()->id, first.value()->id);
  auto b = jobs.claim("w3", 60000);
  ASSERT_TRUE(b);
  EXPECT_FALSE(b.value().has_value());
}

TEST_P(StoreTest, ConcurrentClaimersAndDecisionsNeverRunTwoJobsOfAConversation) {
  // As above, while every 4th job is parked as unresolved and put back by a "person" shortly after:
  // 8 claimers of two processes, 200 jobs over 20 conversations.
  EventRepository events(db_);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(events.store(event("e" + std::to_string(i), "k" + std::to_string(i % 20))));
  std::vector<std::shared_ptr<Database>> processes = {open_another(), open_another()};
  ASSERT_TRUE(processes[0] && processes[1]);
  ClaimAudit audit;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  audit.run(processes, {8, 200, 4, [&] {
                          while (!audit.all_done(200) && std::chrono::steady_clock::now() < deadline) {
                            std::this_thread::sleep_for(std::chrono::milliseconds(2));
                            try {
                              put_back_unresolved(*processes[0]);
                            } catch (const Poco::Exception& ex) {
                              ADD_FAILURE() << "putting jobs back failed: " << ex.displayText();
                              return;
                            }
                          }
                        }});
  EXPECT_TRUE(audit.violations().empty()) << joined(audit.violations());
  EXPECT_EQ(audit.claimed(), 200u);
  EXPECT_EQ(audit.parked(), 50u);
  JobRepository jobs(db_);
  EXPECT_EQ(jobs.count_in_state("done").value(), 200);
}

TEST_P(StoreTest, ConcurrentResendsStoreTheEventOnce) {
  std::vector<std::shared_ptr<Database>> processes = {open_another(), open_another()};
  ASSERT_TRUE(processes[0] && processes[1]);
  for (int round = 0; round < 5; ++round) {
    const std::string id = "dup" + std::to_string(round);
    std::atomic<int> stored{0}, duplicates{0}, failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t)
      threads.emplace_back([&, t] {
        EventRepository events(processes[static_cast<std::size_t>(t) % processes.size()]);
        // Half of the resends carry another conversation key, so they do not share a lock.
        auto r = events.store(event(id, t % 2 ? "ka" : "kb"));
        if (!r)
          ++failures;
        else if (r.value().duplicate)
          ++duplicates;
        else
          ++stored;
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(stored.load(), 1);
    EXPECT_EQ(duplicates.load(), 5);
  }
  JobRepository jobs(db_);
  EXPECT_EQ(jobs.count_in_state("pending").value(), 5);
}

TEST_P(StoreTest, HostsMigratingAtOnceBothSucceedWithOneSchema) {
  // Several host processes starting together on an empty database: each runs migrate(); the schema must
  // be created exactly once and every one of them must report the newest version.
  const int newest = migrations().back().version;
  for (int round = 0; round < 3; ++round) {
    const std::string url = fresh_->make_url();
    std::vector<std::shared_ptr<Database>> hosts;
    for (int h = 0; h < 4; ++h) {
      auto db = Database::open(url, 2);
      ASSERT_TRUE(db) << db.error().message;
      hosts.push_back(db.value());
    }
    std::mutex m;
    std::condition_variable cv;
    int ready = 0;
    std::vector<Result<int>> results(hosts.size(), Result<int>(0));
    std::vector<std::thread> threads;
    for (std::size_t h = 0; h < hosts.size(); ++h)
      threads.emplace_back([&, h] {
        {
          std::unique_lock lock(m);
          ++ready;
          cv.notify_all();
          cv.wait(lock, [&] { return ready == static_cast<int>(hosts.size()); });
        }
        results[h] = migrate(*hosts[h]);
      });
    for (auto& t : threads) t.join();
    for (const auto& r : results) {
      ASSERT_TRUE(r) << r.error().message;
      EXPECT_EQ(r.value(), newest);
    }
    auto s = hosts[0]->session();
    int recorded = 0;
    *s << "SELECT COUNT(*) FROM schema_migrations", into(recorded), now;
    EXPECT_EQ(recorded, static_cast<int>(migrations().size()));
    int tables = 0;
    if (postgres())
      *s << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'jobs'",
          into(tables), now;
    else
      *s << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'jobs'", into(tables), now;
    EXPECT_EQ(tables, 1);
    // The schema works: a host can store and claim on it.
    ASSERT_TRUE(TenantRepository(hosts[1]).upsert({"t1", "Tenant one", {}}));
    ASSERT_TRUE(EventRepository(hosts[2]).store(event("e1", "k1")));
    auto job = JobRepository(hosts[3]).claim("w", 60000);
    ASSERT_TRUE(job && job.value());
  }
}

TEST(DatabaseUrl, RejectsUnknownSchemesClearly) {
  auto db = Database::open("mysql://nope");
  ASSERT_FALSE(db);
  EXPECT_NE(db.error().message.find("sqlite: or postgresql:"), std::string::npos);
}

TEST(DatabaseUrl, PostgresUrlReachesTheTestServer) {
  auto& cluster = appconnect::testing::shared_pg_cluster();
  auto db = Database::open(cluster.url());
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(db.value()->dialect(), Dialect::kPostgres);
  EXPECT_EQ(db.value()->description().find("password"), std::string::npos);
  auto s = db.value()->session();
  std::string user;
  *s << "SELECT current_user", into(user), now;
  EXPECT_EQ(user, "postgres");
}

TEST_P(StoreTest, WebhookInboxKeepsBodiesPerTenantInOrder) {
  WebhookInboxRepository inbox(db_);
  auto a = inbox.add("t1", "ringcentral", "change notice", R"({"body":{"changes":[]}})");
  auto b = inbox.add("t2", "ringcentral", "presence", "not json at all");
  auto c = inbox.add("t1", "other", "unknown", "{}");
  ASSERT_TRUE(a && b && c) << (a ? "" : a.error().message);
  EXPECT_LT(a.value(), c.value());
  auto t1 = inbox.list("t1", "", 0, 50);
  ASSERT_TRUE(t1) << t1.error().message;
  ASSERT_EQ(t1.value().size(), 2u);
  EXPECT_EQ(t1.value()[0].id, a.value());
  EXPECT_EQ(t1.value()[0].reason, "change notice");
  EXPECT_EQ(t1.value()[0].body, R"({"body":{"changes":[]}})");
  EXPECT_GT(t1.value()[0].received_at, 0);
  EXPECT_EQ(inbox.list("t1", "ringcentral", 0, 50).value().size(), 1u);
  EXPECT_EQ(inbox.list("t1", "", a.value(), 50).value().size(), 1u);
  EXPECT_EQ(inbox.list("t1", "", 0, 1).value().size(), 1u);
  EXPECT_EQ(inbox.list("t2", "", 0, 50).value().at(0).body, "not json at all");
}

} // namespace
} // namespace appconnect::store
