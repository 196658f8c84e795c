// State shared by the framework and the active emulator: records, tokens, API usage and knobs.
#pragma once

#include "framework/knobs.hpp"
#include "framework/record_store.hpp"
#include "framework/token_store.hpp"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace appconnect::crm_sandbox {

// Counts billable API calls against the daily limit without a lock (benchmarks hit it per request).
class ApiUsage {
 public:
  // Counts one call and returns the new usage, or nullopt (counting nothing) when the limit is reached.
  std::optional<std::int64_t> try_consume(std::int64_t limit);
  std::int64_t used() const { return used_.load(std::memory_order_relaxed); }
  void reset() { used_.store(0, std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> used_{0};
};

class KnobStore {
 public:
  Knobs snapshot() const;
  Knobs apply(const boost::json::object& update); // returns the knobs after the update
  void set(Knobs knobs);

 private:
  mutable std::mutex mutex_;
  Knobs knobs_;
};

struct SandboxContext {
  RecordStore store;
  TokenStore tokens;
  ApiUsage usage;
  KnobStore knobs;
  std::string base_url; // set once the server is bound, before any request is served
};

} // namespace appconnect::crm_sandbox
