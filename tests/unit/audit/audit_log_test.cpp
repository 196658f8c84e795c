// The audit chain on both engines: concurrent appends stay gap-free, and every kind of tampering done
// with plain SQL (alter, remove, reorder, rewrite a hash, cut the tail) is found at its position.
#include "audit/audit_log.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "support/fresh_database.hpp"
#include "support/temp_dir.hpp"

#include <Poco/Data/Session.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

using namespace Poco::Data::Keywords;
using ::testing::HasSubstr;

namespace appconnect::audit {
namespace {

class AuditTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    url_ = testing::fresh_database_url(GetParam(), dir_.path());
    db_ = open();
    ASSERT_TRUE(db_);
    auto v = store::migrate(*db_);
    ASSERT_TRUE(v) << v.error().message;
  }

  std::shared_ptr<store::Database> open() {
    auto db = store::Database::open(url_, 8);
    EXPECT_TRUE(db) << db.error().message;
    return db ? db.value() : nullptr;
  }

  void append_n(AuditLog& log, int n, const std::string& tenant = "t1") {
    for (int i = 0; i < n; ++i) {
      auto e = log.append({tenant, "admin", "unresolved.resolved", std::to_string(i),
                           boost::json::object{{"decision", boost::json::object{{"action", "skip"}}}, {"i", i}}});
      ASSERT_TRUE(e) << e.error().message;
    }
  }

  void exec(const std::string& sql) {
    auto s = db_->session();
    *s << sql, now;
  }

  VerifyReport verify() {
    auto r = AuditLog(db_).verify();
    EXPECT_TRUE(r) << r.error().message;
    return r ? r.value() : VerifyReport{};
  }

  testing::TempDir dir_{"appconnect-audit"};
  std::string url_;
  std::shared_ptr<store::Database> db_;
};

INSTANTIATE_TEST_SUITE_P(Engines, AuditTest, ::testing::Values(testing::kSqliteEngine, testing::kPostgresEngine),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST_P(AuditTest, AnEmptyChainIsIntact) {
  auto r = verify();
  EXPECT_TRUE(r.intact) << r.message;
  EXPECT_EQ(r.entries, 0);
}

TEST_P(AuditTest, EntriesLinkToTheirPredecessor) {
  AuditLog log(db_);
  auto first = log.append({"t1", "system", "decision.logged", "evt-1", {{"job", 7}}});
  auto second = log.append({"t1", "admin", "rules.rerun", "all", {}});
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first.value().position, 1);
  EXPECT_EQ(first.value().prev_hash, "");
  EXPECT_EQ(second.value().position, 2);
  EXPECT_EQ(second.value().prev_hash, first.value().hash);
  EXPECT_EQ(second.value().hash, entry_hash(second.value()));
  EXPECT_EQ(second.value().hash.size(), 64u);
  // The canonical form is length-prefixed: a field cannot bleed into the next one.
  Entry a = first.value(), b = first.value();
  a.actor = "ab";
  a.action = "c";
  b.actor = "a";
  b.action = "bc";
  EXPECT_NE(entry_hash(a), entry_hash(b));
  EXPECT_THAT(canonical_form(first.value()), HasSubstr("\n6:system\n15:decision.logged\n5:evt-1\n"));
}

TEST_P(AuditTest, ConcurrentAppendsFromThreadsAndProcessesStayGapFree) {
  // 8 threads; half of them on a second Database (its own pool and connections, as another host
  // process sharing the database would have).
  auto other = open();
  ASSERT_TRUE(other);
  AuditLog here(db_), there(other);
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      AuditLog& log = t % 2 == 0 ? here : there;
      for (int i = 0; i < kEach; ++i)
        if (!log.append({"t" + std::to_string(t), "system", "decision.logged", std::to_string(i), {{"t", t}}}))
          ++failures;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto s = db_->session();
  std::vector<Poco::Int64> positions;
  *s << "SELECT position FROM audit_log ORDER BY position", into(positions), now;
  ASSERT_EQ(positions.size(), static_cast<std::size_t>(kThreads * kEach));
  for (std::size_t i = 0; i < positions.size(); ++i) ASSERT_EQ(positions[i], static_cast<Poco::Int64>(i + 1));
  auto r = verify();
  EXPECT_TRUE(r.intact) << r.message;
  EXPECT_EQ(r.entries, kThreads * kEach);
}

TEST_P(AuditTest, AnAlteredDetailIsNamed) {
  AuditLog log(db_);
  append_n(log, 10);
  exec(R"(UPDATE audit_log SET detail = '{"decision":{"action":"pick"},"i":4}' WHERE position = 5)");
  auto r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.bad_position, 5);
  EXPECT_EQ(r.problem, "altered");
}

TEST_P(AuditTest, AnAlteredEntryWithARecomputedHashIsNamed) {
  AuditLog log(db_);
  append_n(log, 6);
  // A careful forger recomputes the row's own hash; the next entry still links to the old one.
  auto s = db_->session();
  auto list = log.list({"", 2, 3, 10});
  ASSERT_TRUE(list);
  ASSERT_EQ(list.value().size(), 1u);
  Entry e = list.value().front();
  e.actor = "admin:someone-else";
  std::string actor = e.actor, hash = entry_hash(e);
  *s << db_->sql("UPDATE audit_log SET actor = ?, hash = ? WHERE position = 3"), use(actor), use(hash), now;
  auto r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.bad_position, 3);
  EXPECT_EQ(r.problem, "altered");
}

TEST_P(AuditTest, ARemovedEntryIsNamed) {
  AuditLog log(db_);
  append_n(log, 10);
  exec("DELETE FROM audit_log WHERE position = 7");
  auto r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.bad_position, 7);
  EXPECT_EQ(r.problem, "removed");
}

TEST_P(AuditTest, ACutTailIsNamed) {
  AuditLog log(db_);
  append_n(log, 10);
  exec("DELETE FROM audit_log WHERE position >= 9");
  auto r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.bad_position, 9);
  EXPECT_EQ(r.problem, "removed");
  EXPECT_THAT(r.message, HasSubstr("10"));
}

TEST_P(AuditTest, SwappedEntriesAreNamed) {
  AuditLog log(db_);
  append_n(log, 10);
  // Position is the primary key: swap through a free number.
  exec("UPDATE audit_log SET position = -1 WHERE position = 4");
  exec("UPDATE audit_log SET position = 4 WHERE position = 5");
  exec("UPDATE audit_log SET position = 5 WHERE position = -1");
  auto r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.bad_position, 4);
  EXPECT_EQ(r.problem, "reordered");
}

TEST_P(AuditTest, AnInsertedEntryIsNamed) {
  AuditLog log(db_);
  append_n(log, 3);
  exec(
      "INSERT INTO audit_log (position, at_ms, tenant_id, actor, action, subject, detail, prev_hash, hash) "
      "SELECT 4, at_ms, tenant_id, actor, action, subject, detail, hash, hash FROM audit_log WHERE position = 3");
  auto r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.bad_position, 4);
}

TEST_P(AuditTest, ListAndExportFilterByTenantAndPosition) {
  AuditLog log(db_);
  append_n(log, 3, "t1");
  append_n(log, 2, "t2");
  append_n(log, 3, "t1");
  auto page = log.list({"t1", 0, 0, 4});
  ASSERT_TRUE(page);
  ASSERT_EQ(page.value().size(), 4u);
  EXPECT_EQ(page.value()[3].position, 6);
  std::ostringstream out;
  auto n = log.export_jsonl(out, 4, 7, "");
  ASSERT_TRUE(n);
  EXPECT_EQ(n.value(), 4);
  std::istringstream lines(out.str());
  std::string line;
  std::int64_t expect = 4;
  while (std::getline(lines, line)) {
    auto doc = boost::json::parse(line).as_object();
    EXPECT_EQ(doc.at("position").as_int64(), expect++);
    EXPECT_TRUE(doc.at("detail").is_object());
    EXPECT_EQ(doc.at("hash").as_string().size(), 64u);
  }
  EXPECT_EQ(expect, 8);
  std::ostringstream t2;
  EXPECT_EQ(log.export_jsonl(t2, 1, 0, "t2").value(), 2);
}

TEST_P(AuditTest, DecisionsAreRecordedWithTheirExplanation) {
  AuditLog log(db_);
  auto e = log.append(decision_entry("t1", "evt-9", 42, "sf-1", "decision.logged",
                                     boost::json::object{{"decided_by", "last_modified"}, {"candidates", 2}}));
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e.value().actor, "system");
  EXPECT_EQ(e.value().subject, "evt-9");
  auto doc = e.value().to_json();
  EXPECT_EQ(doc.at("detail").at("job").as_int64(), 42);
  EXPECT_EQ(doc.at("detail").at("explanation").at("decided_by").as_string(), "last_modified");
  EXPECT_TRUE(verify().intact);
}

// Versions are reserved per branch (4: durability, 5: this audit trail): a database that got 5 first
// must still get 4 when it lands. Simulated with version 3: forgotten, its table dropped, re-applied.
TEST_P(AuditTest, AMigrationMissingBelowTheNewestIsStillApplied) {
  exec("DELETE FROM schema_migrations WHERE version = 3");
  exec("DROP TABLE webhook_inbox");
  auto v = store::migrate(*db_);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v.value(), store::migrations().back().version);
  auto s = db_->session();
  int rows = -1, recorded = 0;
  *s << "SELECT COUNT(*) FROM webhook_inbox", into(rows), now;
  *s << "SELECT COUNT(*) FROM schema_migrations", into(recorded), now;
  EXPECT_EQ(rows, 0);
  EXPECT_EQ(recorded, static_cast<int>(store::migrations().size()));
  // And the audit chain (5) was not touched by re-running 3.
  EXPECT_TRUE(AuditLog(db_).append({"t1", "system", "x", "y", {}}));
  EXPECT_TRUE(verify().intact);
}

} // namespace
} // namespace appconnect::audit
