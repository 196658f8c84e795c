#include "pipeline/worker_pool.hpp"

#include "common/log.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <random>

namespace appconnect::pipeline {

std::int64_t retry_delay_ms(const RetryPolicy& policy, std::int64_t attempts, const Error& error, double random_unit) {
  const std::int64_t exponent = std::clamp<std::int64_t>(attempts - 1, 0, 30);
  const std::int64_t ceiling =
      std::min(policy.max_delay_ms, policy.base_delay_ms << std::min<std::int64_t>(exponent, 20));
  // Full jitter spreads retries of many jobs that failed together (a CRM outage) over the window.
  auto delay = static_cast<std::int64_t>(static_cast<double>(ceiling) * random_unit);
  if (error.retry_after_ms) delay = std::max(delay, *error.retry_after_ms);
  return std::max<std::int64_t>(delay, 50);
}

WorkerPool::WorkerPool(std::shared_ptr<store::JobRepository> jobs,
                       std::shared_ptr<store::UnresolvedRepository> unresolved, std::shared_ptr<Processor> processor,
                       int threads, std::string owner_prefix, RetryPolicy policy)
    : jobs_(std::move(jobs)),
      unresolved_(std::move(unresolved)),
      processor_(std::move(processor)),
      thread_count_(threads),
      owner_prefix_(std::move(owner_prefix)),
      policy_(policy) {}

WorkerPool::~WorkerPool() {
  stop();
}

void WorkerPool::start() {
  stopping_ = false;
  for (int i = 0; i < thread_count_; ++i) threads_.emplace_back([this, i] { run(i); });
}

void WorkerPool::stop() {
  stopping_ = true;
  notify();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void WorkerPool::notify() {
  {
    std::lock_guard lock(mutex_);
    ++wake_generation_;
  }
  wake_.notify_all();
}

void WorkerPool::run(int index) {
  const std::string owner = owner_prefix_ + "/w" + std::to_string(index);
  while (!stopping_) {
    std::uint64_t seen;
    {
      std::lock_guard lock(mutex_);
      seen = wake_generation_;
    }
    auto claimed = jobs_->claim(owner, kLeaseMs);
    if (!claimed) {
      log::error("worker", "cannot claim jobs", {{"error", claimed.error().message}});
    } else if (claimed.value()) {
      const store::JobRow& job = *claimed.value();
      JobOutcome outcome;
      try {
        outcome = processor_->process(job);
      } catch (const std::exception& ex) {
        outcome.kind = JobOutcome::Kind::kRetry;
        outcome.error = Error::make(error_code::kInternal, std::string("unexpected failure: ") + ex.what(), true);
      }
      finish(job, outcome);
      continue; // look for more work at once
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(kIdlePollMs),
                   [&] { return stopping_.load() || wake_generation_ != seen; });
  }
}

void WorkerPool::finish(const store::JobRow& job, const JobOutcome& outcome) {
  const boost::json::object ids{
      {"job", job.id}, {"connection", job.connection_id}, {"conversation", job.conversation_key}};
  Result<Done> saved = kDone;
  switch (outcome.kind) {
    case JobOutcome::Kind::kDone: {
      saved = jobs_->complete(job.id, boost::json::serialize(outcome.detail));
      boost::json::object f = ids;
      if (const auto* a = outcome.detail.if_contains("action")) f["action"] = *a;
      log::info("worker", "job done", f);
      break;
    }
    case JobOutcome::Kind::kUnresolved: {
      if (outcome.queue_item) {
        auto opened = unresolved_->open(*outcome.queue_item);
        saved = opened ? Result<Done>(kDone) : Result<Done>(opened.error());
      } else {
        saved = jobs_->park(job.id, "unresolved", boost::json::serialize(outcome.detail));
      }
      boost::json::object f = ids;
      if (const auto* r = outcome.detail.if_contains("reason")) f["reason"] = *r;
      log::info("worker", "job unresolved", f);
      break;
    }
    case JobOutcome::Kind::kRetry:
      if (job.attempts < policy_.max_attempts) {
        thread_local std::mt19937_64 rng{std::random_device{}()};
        const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
        const std::int64_t delay = retry_delay_ms(policy_, job.attempts, outcome.error, unit);
        saved = jobs_->retry_later(job.id, boost::json::serialize(boost::json::value_from(outcome.error)),
                                   store::now_ms() + delay);
        boost::json::object f = ids;
        f["code"] = outcome.error.code;
        f["retry_in_ms"] = delay;
        f["attempts"] = job.attempts;
        log::warn("worker", "job will be retried", f);
        break;
      }
      [[fallthrough]];
    case JobOutcome::Kind::kFailed: {
      saved = jobs_->park(job.id, "failed", boost::json::serialize(boost::json::value_from(outcome.error)));
      boost::json::object f = ids;
      f["code"] = outcome.error.code;
      f["error"] = outcome.error.message;
      log::error("worker", "job failed", f);
      break;
    }
  }
  if (!saved) log::error("worker", "cannot record job outcome", {{"job", job.id}, {"error", saved.error().message}});
}

} // namespace appconnect::pipeline
