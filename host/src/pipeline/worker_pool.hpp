// Worker threads that claim jobs from the store, run them through the Processor, and record the
// outcome: done, unresolved (a person must choose), failed (an admin must look), or retried later with
// capped exponential backoff and full jitter (Retry-After from the CRM wins when it is longer).
#pragma once

#include "pipeline/processor.hpp"
#include "store/matching_repositories.hpp"
#include "store/repositories.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace appconnect::pipeline {

struct RetryPolicy {
  std::int64_t base_delay_ms = 1000;
  std::int64_t max_delay_ms = 5 * 60 * 1000;
  std::int64_t max_attempts = 12; // then the job is parked as failed, retryable by an admin
};

// Delay before attempt number `attempts + 1`, given the error's Retry-After. `random_unit` in [0,1).
std::int64_t retry_delay_ms(const RetryPolicy& policy, std::int64_t attempts, const Error& error, double random_unit);

class WorkerPool {
 public:
  WorkerPool(std::shared_ptr<store::JobRepository> jobs, std::shared_ptr<store::UnresolvedRepository> unresolved,
             std::shared_ptr<Processor> processor, int threads, std::string owner_prefix, RetryPolicy policy = {});
  ~WorkerPool();

  void start();
  // Stops claiming, lets running jobs finish, joins the threads.
  void stop();
  // Wakes idle workers (new jobs were stored).
  void notify();

 private:
  void run(int index);
  void finish(const store::JobRow& job, const JobOutcome& outcome);

  std::shared_ptr<store::JobRepository> jobs_;
  std::shared_ptr<store::UnresolvedRepository> unresolved_;
  std::shared_ptr<Processor> processor_;
  int thread_count_;
  std::string owner_prefix_;
  RetryPolicy policy_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::uint64_t wake_generation_ = 0;
  std::vector<std::thread> threads_;
  static constexpr std::int64_t kLeaseMs = 5 * 60 * 1000;
  static constexpr std::int64_t kIdlePollMs = 250; // other processes may add jobs; poll while idle
};

} // namespace appconnect::pipeline
