// Crash safety, end to end: 5,000 call events are posted while host processes are killed with SIGKILL at
// random moments and restarted on the same database; afterwards every event must have exactly one
// Task in the Salesforce sandbox (by its external id, CallObject). On SQLite one host; on PostgreSQL
// three `appconnect serve` processes share one database and random ones are killed.
//
// The sender behaves like a telephony webhook with retries: a POST that failed (host dead, connection
// reset, 5xx) is sent again, possibly to another host; ingest is idempotent on the event id.
//
// Bounded: loopback only, short job leases and retry delays from the config, deadlines everywhere.
#include "store/database.hpp"
#include "support/pg_cluster.hpp"
#include "support/testing.hpp"

#include <Poco/Data/Session.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

using namespace Poco::Data::Keywords;

namespace appconnect::testing {
namespace {
using namespace std::chrono_literals;

constexpr int kEvents = 5000;
constexpr int kMinKills = 10;
constexpr int kContacts = 50; // events spread over these seeded contacts; every event is its own call
constexpr int kSenders = 4;
// AddressSanitizer builds (scripts/lib/sanitizer-suite) run every process several times slower and start a
// host in seconds, not half a second: kills are spaced and the windows widened by this factor, so the host
// still spends most of the run alive and the test measures loss, not the sanitizer's overhead.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kSlowdown = 4;
#else
constexpr int kSlowdown = 1;
#endif

std::string contact_phone(int i) {
  return "+1650555" + std::to_string(3000 + i);
}

// The host processes of one run; slots are replaced when a host is killed and restarted.
class Fleet {
 public:
  Fleet(boost::json::object config, int size) : config_(std::move(config)) {
    for (int i = 0; i < size; ++i) {
      hosts_.push_back(start());
      urls_.push_back(hosts_.back()->base_url());
    }
  }

  // Base URL of a live host (random among them).
  std::string any_url(std::mt19937& rng) {
    std::lock_guard lock(mutex_);
    return urls_[std::uniform_int_distribution<std::size_t>(0, urls_.size() - 1)(rng)];
  }

  // SIGKILL one host (random), then start a replacement on the same database.
  void kill_and_restart(std::mt19937& rng) {
    std::unique_ptr<HostProcess> victim;
    std::size_t slot = 0;
    {
      std::lock_guard lock(mutex_);
      slot = std::uniform_int_distribution<std::size_t>(0, hosts_.size() - 1)(rng);
      // Until the replacement is up, senders that pick this slot find a dead URL and retry elsewhere.
      victim = std::move(hosts_[slot]);
    }
    victim->process().kill();
    EXPECT_EQ(victim->process().exit_code(), 128 + 9) << victim->process().describe();
    auto replacement = start();
    std::lock_guard lock(mutex_);
    urls_[slot] = replacement->base_url();
    hosts_[slot] = std::move(replacement);
    graveyard_.push_back(std::move(victim)); // keeps the dead host's log until the test ends
  }

  std::string describe() {
    std::lock_guard lock(mutex_);
    std::string out;
    for (auto& h : hosts_)
      if (h) out += h->process().describe() + "\n";
    return out;
  }

 private:
  std::unique_ptr<HostProcess> start() { return std::make_unique<HostProcess>(config_); }

  boost::json::object config_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<HostProcess>> hosts_;
  std::vector<std::unique_ptr<HostProcess>> graveyard_;
  std::vector<std::string> urls_; // read by the senders; a killed host's URL stays until it is replaced
};

// Counts jobs by state straight from the database the hosts share.
std::map<std::string, std::int64_t> job_states(store::Database& db) {
  auto s = db.session();
  std::vector<std::string> states;
  std::vector<Poco::Int64> counts;
  *s << "SELECT state, COUNT(*) FROM jobs GROUP BY state", into(states), into(counts), now;
  std::map<std::string, std::int64_t> out;
  for (std::size_t i = 0; i < states.size(); ++i) out[states[i]] = counts[i];
  return out;
}

std::string states_text(const std::map<std::string, std::int64_t>& states) {
  std::string out;
  for (const auto& [state, n] : states) out += state + "=" + std::to_string(n) + " ";
  return out;
}

struct ChaosFigures {
  int events = 0;
  int kills = 0;
  int lost = 0;
  int duplicated = 0;
};

class Chaos : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A host killed while a sender writes to it must not take the test down with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    sandbox_ = new SandboxProcess(SandboxOptions{});
    sandbox_->configure({{"token_lifetime_s", 0}});
  }
  static void TearDownTestSuite() {
    delete sandbox_;
    sandbox_ = nullptr;
  }

  void SetUp() override {
    sandbox_->reset();
    sandbox_->configure({{"token_lifetime_s", 0}, {"request_log_limit", 1000}});
    for (int i = 0; i < kContacts; ++i)
      sandbox_->seed_record(
          "Contact",
          {{"FirstName", "Chaos"}, {"LastName", "Caller " + std::to_string(i)}, {"Phone", contact_phone(i)}});
  }

  // The config every host of a run shares. Short leases and retry delays keep the run bounded: a
  // killed host's jobs are taken over within a lease.
  static boost::json::object host_config(const std::string& tag) {
    return boost::json::object{
        {"workers", 8},
        {"jobs", boost::json::object{{"lease_ms", 4000}, {"retry_base_delay_ms", 100}, {"retry_max_delay_ms", 2000}}},
        {"tenants", boost::json::array{boost::json::object{{"id", "default"}, {"name", "Chaos " + tag}}}},
        {"connections", boost::json::array{salesforce_connection("sf", "default", sandbox_->base_url())}}};
  }

  // Sends the events while killing hosts; waits until every job settled; counts Tasks per event.
  ChaosFigures run(const std::string& engine, Fleet& fleet, store::Database& db) {
    std::vector<std::string> keys(kEvents); // conversation key per event, as the host reported it
    std::atomic<int> next{0}, sent{0};
    std::atomic<bool> abort{false};
    std::mutex failures_mutex;
    std::string failures;
    const auto started = std::chrono::steady_clock::now();
    const auto send_deadline = started + 180s * kSlowdown;

    std::vector<std::thread> senders;
    for (int t = 0; t < kSenders; ++t)
      senders.emplace_back([&, t] {
        std::mt19937 rng(static_cast<unsigned>(1000 + t));
        for (int i = next++; i < kEvents && !abort; i = next++) {
          const std::string id = engine + "-evt-" + std::to_string(i);
          const auto doc = call_event(id, engine + "-session-" + std::to_string(i), contact_phone(i % kContacts));
          const std::string body = boost::json::serialize(doc);
          for (int tries = 0;; ++tries) {
            if (std::chrono::steady_clock::now() > send_deadline) {
              std::lock_guard lock(failures_mutex);
              failures += "event " + id + " could not be delivered in time\n";
              abort = true;
              return;
            }
            try {
              auto r = http("POST", fleet.any_url(rng) + "/v1/events", body, {}, 5s);
              if (r.status == 200 || r.status == 202) {
                keys[static_cast<std::size_t>(i)] = std::string(r.json().at("conversation_key").as_string());
                ++sent;
                break;
              }
              if (r.status < 500) { // a client error will not heal by resending
                std::lock_guard lock(failures_mutex);
                failures += "event " + id + ": HTTP " + std::to_string(r.status) + " " + r.body + "\n";
                break;
              }
            } catch (const std::exception&) {
              // The host died under us (refused, reset, timeout): send again.
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20 + 10 * std::min(tries, 10)));
          }
        }
      });

    // Kills at random moments while events arrive and jobs run, at least kMinKills of them.
    std::mt19937 rng(std::random_device{}());
    int kills = 0;
    while (!abort && (sent.load() < kEvents || kills < kMinKills)) {
      // Spaced so the host spends most of the run alive (a restart costs ~0.5 s on a loaded machine).
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::uniform_int_distribution<int>(800 * kSlowdown, 2500 * kSlowdown)(rng)));
      try {
        fleet.kill_and_restart(rng);
      } catch (const std::exception& ex) {
        ADD_FAILURE() << "restarting a host failed: " << ex.what();
        abort = true;
        break;
      }
      ++kills;
    }
    for (auto& s : senders) s.join();
    EXPECT_TRUE(failures.empty()) << failures;
    EXPECT_EQ(sent.load(), kEvents);

    // Every job settles (a killed host's running jobs come back when their lease runs out).
    const auto settle_deadline = std::chrono::steady_clock::now() + 150s * kSlowdown;
    std::map<std::string, std::int64_t> states;
    for (;;) {
      states = job_states(db);
      if (states["pending"] + states["running"] == 0) break;
      if (std::chrono::steady_clock::now() > settle_deadline) {
        ADD_FAILURE() << engine << ": jobs did not settle: " << states_text(states) << "\n" << fleet.describe();
        break;
      }
      std::this_thread::sleep_for(250ms);
    }
    EXPECT_EQ(states["done"], kEvents) << states_text(states);

    std::map<std::string, int> tasks_by_key;
    for (const auto& t : sandbox_->records("Task")) {
      const auto* call_object = t.as_object().if_contains("CallObject");
      if (call_object != nullptr && call_object->is_string()) ++tasks_by_key[std::string(call_object->get_string())];
    }
    // Counted over the events the host accepted (an event it never answered 2xx for was not its to lose;
    // the test fails above when not all were sent).
    ChaosFigures f;
    f.events = sent.load();
    f.kills = kills;
    for (const auto& key : keys) {
      if (key.empty()) continue;
      const auto it = tasks_by_key.find(key);
      const int n = it == tasks_by_key.end() ? 0 : it->second;
      if (n == 0) ++f.lost;
      if (n > 1) f.duplicated += n - 1;
    }
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
    std::printf("chaos %s: events=%d kills=%d lost=%d duplicated=%d\n", engine.c_str(), f.events, f.kills, f.lost,
                f.duplicated);
    std::printf("  (%lld s; jobs: %s)\n", static_cast<long long>(seconds.count()), states_text(states).c_str());
    std::fflush(stdout);
    return f;
  }

  static SandboxProcess* sandbox_;
};

SandboxProcess* Chaos::sandbox_ = nullptr;

TEST_F(Chaos, SqliteOneHostKilledAtRandomLosesAndDuplicatesNothing) {
  TempDir dir("appconnect-chaos");
  auto config = host_config("sqlite");
  config["data_dir"] = dir.file("data").string();
  Fleet fleet(config, 1);
  auto db = store::Database::open("sqlite:" + dir.file("data").string() + "/appconnect.db", 2);
  ASSERT_TRUE(db) << db.error().message;
  const auto f = run("sqlite", fleet, *db.value());
  EXPECT_GE(f.kills, kMinKills);
  EXPECT_EQ(f.lost, 0);
  EXPECT_EQ(f.duplicated, 0);
}

TEST_F(Chaos, PostgresqlThreeHostsKilledAtRandomLoseAndDuplicateNothing) {
  const std::string url = shared_pg_cluster().create_database("chaos");
  auto config = host_config("postgresql");
  config["database"] = url;
  Fleet fleet(config, 3);
  auto db = store::Database::open(url, 2);
  ASSERT_TRUE(db) << db.error().message;
  const auto f = run("postgresql", fleet, *db.value());
  EXPECT_GE(f.kills, kMinKills);
  EXPECT_EQ(f.lost, 0);
  EXPECT_EQ(f.duplicated, 0);
}

} // namespace
} // namespace appconnect::testing
