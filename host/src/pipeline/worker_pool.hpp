// Worker threads that claim jobs from the store, run them through the Processor, and record the
// outcome: done, unresolved (a person must choose), failed (an admin must look), or retried later with
// capped exponential backoff and full jitter (Retry-After from the CRM wins when it is longer).
//
// Leases: a claim leases the job for `lease_ms`; a heartbeat thread renews the leases of the jobs
// being worked on every third of that, so a slow CRM call never lets a live worker's job go to another
// worker, while a dead process's jobs are taken over within one lease. Every outcome is recorded only
// under the lease it was claimed with: a worker that lost its lease (it stalled past the lease, e.g. a
// paused VM) records nothing and the job's new holder decides.
#pragma once

#include "pipeline/connection_guard.hpp"
#include "pipeline/processor.hpp"
#include "store/attempts.hpp"
#include "store/matching_repositories.hpp"
#include "store/repositories.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
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

struct WorkerSettings {
  int threads = 4;
  std::string owner_prefix; // "<host>:<pid>": workers are "<prefix>/w<n>"
  RetryPolicy retry;
  std::int64_t lease_ms = 60000;
  std::int64_t idle_poll_ms = 250; // other processes may add jobs; poll while idle
  // When set, a job of a connection the guard holds back is put back without running it.
  std::shared_ptr<ConnectionGuard> guard;
  // Called inside the transaction that stores a job's decision (done or unresolved): the audit trail
  // records it there, so a decision is never stored without its audit entry (or the other way round).
  // It throws Poco exceptions on failure; the job's transition then rolls back and the job runs again.
  std::function<void(Poco::Data::Session&, const store::JobRow&, const JobOutcome&)> record_decision;
  // When set, every attempt that reached the processor is recorded (event story, dashboard), in the
  // transaction of the job's new state.
  std::shared_ptr<store::AttemptRepository> attempts;
};

class WorkerPool {
 public:
  WorkerPool(std::shared_ptr<store::JobRepository> jobs, std::shared_ptr<store::UnresolvedRepository> unresolved,
             std::shared_ptr<Processor> processor, WorkerSettings settings);
  ~WorkerPool();

  void start();
  // Stops claiming, lets running jobs finish (their leases are renewed meanwhile), gives back a job
  // claimed after the stop began, joins the threads.
  void stop();
  // Wakes idle workers (new jobs were stored).
  void notify();

 private:
  void run(int index);
  void heartbeat();
  void finish(const store::JobRow& job, const JobOutcome& outcome, std::int64_t started_at);

  std::shared_ptr<store::JobRepository> jobs_;
  std::shared_ptr<store::UnresolvedRepository> unresolved_;
  std::shared_ptr<Processor> processor_;
  WorkerSettings settings_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::uint64_t wake_generation_ = 0;
  std::vector<std::thread> threads_;

  // Jobs being worked on, for the heartbeat.
  std::mutex leases_mutex_;
  std::condition_variable heartbeat_wake_;
  bool heartbeat_stop_ = false;
  std::map<std::int64_t, store::Lease> in_flight_;
  std::thread heartbeat_;
};

} // namespace appconnect::pipeline
