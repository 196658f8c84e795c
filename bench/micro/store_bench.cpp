// Store: what a worker pays to claim a job while a backlog of pending jobs waits (SQLite on tmpfs when
// there is one). Each iteration claims the oldest job and gives it back (release), so the backlog stays
// at its size; the argument is the number of pending jobs. A claim that sorts every due job grows with
// the argument; one that walks the index in order does not.
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/repositories.hpp"

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

namespace {

namespace fs = std::filesystem;
using namespace appconnect::store;

fs::path scratch_dir() {
  std::error_code ec;
  const fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
  fs::path dir = base / ("appconnect-bench-store-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

void BM_ClaimWithBacklog(benchmark::State& state) {
  const auto backlog = state.range(0);
  const fs::path dir = scratch_dir();
  const fs::path file = dir / ("claim-" + std::to_string(backlog) + ".db");
  fs::remove(file);
  {
    auto opened = Database::open("sqlite:" + file.string(), 2);
    if (!opened) {
      state.SkipWithError(opened.error().message.c_str());
      return;
    }
    std::shared_ptr<Database> db = opened.value();
    if (auto m = migrate(*db); !m) {
      state.SkipWithError(m.error().message.c_str());
      return;
    }
    EventRepository events(db);
    JobRepository jobs(db);
    // One job per conversation, as in a burst of distinct calls.
    for (std::int64_t i = 0; i < backlog; ++i) {
      NewEvent e{"t", "e" + std::to_string(i), "call", "call:s" + std::to_string(i), "{}", {"c1"}};
      if (auto r = events.store(e); !r) {
        state.SkipWithError(r.error().message.c_str());
        return;
      }
    }
    for (auto _ : state) {
      auto job = jobs.claim("bench-worker", 60000);
      if (!job || !job.value()) {
        state.SkipWithError("no job claimed");
        break;
      }
      if (auto r = jobs.release(job.value()->id, job.value()->lease()); !r) {
        state.SkipWithError(r.error().message.c_str());
        break;
      }
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}
BENCHMARK(BM_ClaimWithBacklog)->Arg(100)->Arg(10000)->Unit(benchmark::kMicrosecond);

} // namespace
