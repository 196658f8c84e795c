#include "pipeline/worker_pool.hpp"

#include "common/log.hpp"
#include "observability/metrics.hpp"

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

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
                       WorkerSettings settings)
    : jobs_(std::move(jobs)),
      unresolved_(std::move(unresolved)),
      processor_(std::move(processor)),
      settings_(std::move(settings)) {}

WorkerPool::~WorkerPool() {
  stop();
}

void WorkerPool::start() {
  stopping_ = false;
  {
    std::lock_guard lock(leases_mutex_);
    heartbeat_stop_ = false;
  }
  heartbeat_ = std::thread([this] { heartbeat(); });
  for (int i = 0; i < settings_.threads; ++i) threads_.emplace_back([this, i] { run(i); });
}

void WorkerPool::stop() {
  stopping_ = true;
  notify();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  // The heartbeat outlives the workers: a job finishing during the stop keeps its lease to the end.
  {
    std::lock_guard lock(leases_mutex_);
    heartbeat_stop_ = true;
  }
  heartbeat_wake_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
}

void WorkerPool::notify() {
  {
    std::lock_guard lock(mutex_);
    ++wake_generation_;
  }
  wake_.notify_all();
}

void WorkerPool::heartbeat() {
  const auto period = std::chrono::milliseconds(std::max<std::int64_t>(settings_.lease_ms / 3, 10));
  std::unique_lock lock(leases_mutex_);
  while (!heartbeat_stop_) {
    heartbeat_wake_.wait_for(lock, period, [this] { return heartbeat_stop_; });
    if (heartbeat_stop_) break;
    const auto held = in_flight_;
    lock.unlock();
    for (const auto& [id, lease] : held) {
      auto renewed = jobs_->renew(id, lease, settings_.lease_ms);
      // A lost lease is logged once here; the worker's outcome will be refused (see finish()).
      if (!renewed)
        log::warn("worker", renewed.error().code == store::kLeaseLost ? "job lease lost" : "cannot renew job lease",
                  {{"job", id}, {"owner", lease.owner}, {"error", renewed.error().message}});
    }
    lock.lock();
  }
}

void WorkerPool::run(int index) {
  const std::string owner = settings_.owner_prefix + "/w" + std::to_string(index);
  while (!stopping_) {
    std::uint64_t seen;
    {
      std::lock_guard lock(mutex_);
      seen = wake_generation_;
    }
    auto claimed = jobs_->claim(owner, settings_.lease_ms);
    if (!claimed) {
      log::error("worker", "cannot claim jobs", {{"error", claimed.error().message}});
    } else if (claimed.value()) {
      const store::JobRow& job = *claimed.value();
      if (stopping_) {
        // Claimed while the stop began: give it back untouched rather than start CRM calls now.
        auto released = jobs_->release(job.id, job.lease());
        if (!released)
          log::warn("worker", "cannot release job", {{"job", job.id}, {"error", released.error().message}});
        break;
      }
      {
        std::lock_guard lock(leases_mutex_);
        in_flight_[job.id] = job.lease();
      }
      JobOutcome outcome;
      const std::int64_t started_at = store::now_ms();
      try {
        auto callable = settings_.guard ? settings_.guard->check(job.connection_id) : Result<Done>(kDone);
        if (callable) {
          outcome = processor_->process(job);
        } else {
          outcome.kind = JobOutcome::Kind::kRetry;
          outcome.error = callable.error();
        }
      } catch (const std::exception& ex) {
        outcome.kind = JobOutcome::Kind::kRetry;
        outcome.error = Error::make(error_code::kInternal, std::string("unexpected failure: ") + ex.what(), true);
      }
      finish(job, outcome, started_at);
      {
        std::lock_guard lock(leases_mutex_);
        in_flight_.erase(job.id);
      }
      continue; // look for more work at once
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(settings_.idle_poll_ms),
                   [&] { return stopping_.load() || wake_generation_ != seen; });
  }
}

namespace {

// appconnect_jobs_total and friends (observability/metrics.hpp), mirroring the branches of finish().
void count_outcome(const store::JobRow& job, const JobOutcome& outcome, std::int64_t max_attempts) {
  auto& m = observability::Metrics::global();
  using Out = observability::JobOutcome;
  const auto& code = outcome.error.code;
  switch (outcome.kind) {
    case JobOutcome::Kind::kDone: {
      const auto* action = outcome.detail.if_contains("action");
      const bool skipped = action != nullptr && action->is_string() && action->get_string() == "skipped";
      bool placeholder = false;
      if (const auto* e = outcome.detail.if_contains("explanation"); e && e->is_object())
        if (const auto* by = e->get_object().if_contains("decided_by"); by && by->is_string())
          placeholder = by->get_string() == "placeholder";
      m.job_finished(skipped ? Out::kSkipped : placeholder ? Out::kPlaceholder : Out::kLogged);
      return;
    }
    case JobOutcome::Kind::kUnresolved:
      m.job_finished(Out::kQueued);
      return;
    case JobOutcome::Kind::kRetry:
      if (code == kThrottled || code == error_code::kRateLimited || code == error_code::kQuotaExhausted)
        m.rate_limit_wait(job.connection_id);
      if (held_back(outcome.error)) return;
      if (job.attempts < max_attempts) {
        m.retry(job.connection_id);
        return;
      }
      [[fallthrough]];
    case JobOutcome::Kind::kFailed:
      m.job_finished(Out::kFailed);
      return;
  }
}

} // namespace

namespace {

// What the dashboard and the event story call a finished attempt; empty when it is not worth a row.
std::string attempt_result(const JobOutcome& outcome, bool gave_up) {
  switch (outcome.kind) {
    case JobOutcome::Kind::kDone: {
      const auto* action = outcome.detail.if_contains("action");
      const std::string a = action != nullptr && action->is_string() ? std::string(action->get_string()) : "";
      if (a == "skipped") return "skipped";
      if (a != "created" && a != "recovered") return "updated"; // the conversation's record already existed
      if (const auto* e = outcome.detail.if_contains("explanation"); e && e->is_object())
        if (const auto* by = e->get_object().if_contains("decided_by"); by && by->is_string())
          if (by->get_string() == "placeholder") return "placeholder";
      return "logged";
    }
    case JobOutcome::Kind::kUnresolved:
      return "queued";
    case JobOutcome::Kind::kRetry:
      return gave_up ? "failed" : "retry";
    case JobOutcome::Kind::kFailed:
      return "failed";
  }
  return {};
}

} // namespace

void WorkerPool::finish(const store::JobRow& job, const JobOutcome& outcome, std::int64_t started_at) {
  const boost::json::object ids{
      {"job", job.id}, {"connection", job.connection_id}, {"conversation", job.conversation_key}};
  const store::Lease lease = job.lease();
  const RetryPolicy& policy = settings_.retry;
  // A job held back (circuit open, rate limited, re-authorization) never reached the CRM and gets its
  // attempt back: it is not an attempt worth showing, and an outage would fill the table with them.
  const bool held = outcome.kind == JobOutcome::Kind::kRetry && held_back(outcome.error);
  const bool decided = outcome.kind == JobOutcome::Kind::kDone || outcome.kind == JobOutcome::Kind::kUnresolved;
  std::int64_t next_attempt_at = 0; // set when another attempt is scheduled
  // The attempt row and the decision's audit entry commit in the transaction of the job's new state: one
  // write transaction per finished job instead of three, and never a state without its history.
  const store::AlsoInTransaction also = [&](Poco::Data::Session& session) {
    if (settings_.attempts && !held) {
      store::AttemptRow a;
      a.job_id = job.id;
      a.tenant_id = job.tenant_id;
      a.connection_id = job.connection_id;
      a.agent = outcome.agent;
      a.attempt = job.attempts;
      a.started_at = started_at;
      a.finished_at = store::now_ms();
      a.result = attempt_result(outcome, job.attempts >= policy.max_attempts);
      if (outcome.kind == JobOutcome::Kind::kRetry || outcome.kind == JobOutcome::Kind::kFailed)
        a.error = boost::json::serialize(boost::json::value_from(outcome.error));
      if (a.result == "retry") a.next_attempt_at = next_attempt_at;
      a.source_ended_at = outcome.source_ended_ms;
      settings_.attempts->record_in(session, a);
    }
    if (decided && settings_.record_decision) {
      try {
        settings_.record_decision(session, job, outcome);
      } catch (const Poco::Exception&) {
        throw;
      } catch (const std::exception& ex) { // the repositories roll back on Poco exceptions only
        throw Poco::RuntimeException(std::string("cannot record the decision: ") + ex.what());
      }
    }
  };
  Result<Done> saved = kDone;
  switch (outcome.kind) {
    case JobOutcome::Kind::kDone: {
      saved = jobs_->complete(job.id, lease, boost::json::serialize(outcome.detail), also);
      boost::json::object f = ids;
      if (const auto* a = outcome.detail.if_contains("action")) f["action"] = *a;
      if (saved) log::info("worker", "job done", f);
      break;
    }
    case JobOutcome::Kind::kUnresolved: {
      if (outcome.queue_item) {
        auto opened = unresolved_->open(*outcome.queue_item, lease, also);
        saved = opened ? Result<Done>(kDone) : Result<Done>(opened.error());
      } else {
        saved = jobs_->park(job.id, lease, "unresolved", boost::json::serialize(outcome.detail), also);
      }
      boost::json::object f = ids;
      if (const auto* r = outcome.detail.if_contains("reason")) f["reason"] = *r;
      if (saved) log::info("worker", "job unresolved", f);
      break;
    }
    case JobOutcome::Kind::kRetry:
      if (held) {
        // The CRM was not called (circuit open, rate limited, re-authorization needed): wait for the
        // moment the connection may be called again, without using up the retry budget.
        const std::int64_t delay = std::max<std::int64_t>(outcome.error.retry_after_ms.value_or(1000), 50);
        saved = jobs_->retry_later(job.id, lease, boost::json::serialize(boost::json::value_from(outcome.error)),
                                   store::now_ms() + delay, false);
        break;
      }
      if (job.attempts < policy.max_attempts) {
        thread_local std::mt19937_64 rng{std::random_device{}()};
        const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
        const std::int64_t delay = retry_delay_ms(policy, job.attempts, outcome.error, unit);
        next_attempt_at = store::now_ms() + delay;
        saved = jobs_->retry_later(job.id, lease, boost::json::serialize(boost::json::value_from(outcome.error)),
                                   next_attempt_at, true, also);
        boost::json::object f = ids;
        f["code"] = outcome.error.code;
        f["retry_in_ms"] = delay;
        f["attempts"] = job.attempts;
        if (saved) log::warn("worker", "job will be retried", f);
        break;
      }
      [[fallthrough]];
    case JobOutcome::Kind::kFailed: {
      saved =
          jobs_->park(job.id, lease, "failed", boost::json::serialize(boost::json::value_from(outcome.error)), also);
      boost::json::object f = ids;
      f["code"] = outcome.error.code;
      f["error"] = outcome.error.message;
      f["attempts"] = job.attempts;
      if (saved) log::error("worker", "job failed", f);
      break;
    }
  }
  if (saved) {
    count_outcome(job, outcome, policy.max_attempts);
    return;
  }
  // Nothing of this attempt was stored: the job is still leased to this worker (or to another, when the
  // lease was lost) and runs again once the lease expires; its log record makes that run find the CRM
  // record this one wrote.
  if (saved.error().code == store::kLeaseLost)
    log::warn("worker", "job outcome dropped: the lease was lost", {{"job", job.id}, {"error", saved.error().message}});
  else
    log::error("worker", "cannot record job outcome", {{"job", job.id}, {"error", saved.error().message}});
}

} // namespace appconnect::pipeline
