// Counters and histograms for GET /metrics (Prometheus text exposition format 0.0.4), and a writer for
// the gauges the host computes at scrape time (job states, connection health).
//
// The hot path is a relaxed atomic add after a shared-lock lookup of the label set, so the pipeline can
// count every job and every CRM call. Label values come only from validated data (tenants, kinds,
// connection and connector ids, operation names), and each family keeps at most kMaxSeries label sets
// (later ones are counted under the value "other"), so outside input cannot grow memory without bound.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace appconnect::observability {

inline constexpr std::size_t kMaxSeries = 2000;
// CRM request latency buckets, in seconds (upper bounds; +Inf is implied).
inline constexpr std::array<double, 12> kLatencyBuckets = {0.005, 0.01, 0.025, 0.05, 0.1,  0.25,
                                                           0.5,   1.0,  2.5,   5.0,  10.0, 30.0};

// What became of a job, for appconnect_jobs_total{outcome}.
enum class JobOutcome { kLogged = 0, kPlaceholder, kQueued, kFailed, kSkipped };

// Writes families and samples in the text format; escapes label values.
class Exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const std::vector<std::pair<std::string_view, std::string_view>>& labels,
              double value);
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

class Metrics {
 public:
  Metrics();
  // The process-wide registry the host's components count into.
  static Metrics& global();

  void event_received(std::string_view tenant, std::string_view kind);
  void job_finished(JobOutcome outcome);
  // A job put back for another attempt after a failed CRM call.
  void retry(std::string_view connection_id);
  // A job held back because the CRM (or our throttle) asked us to slow down.
  void rate_limit_wait(std::string_view connection_id);
  void crm_request(std::string_view connector, std::string_view operation, std::string_view connection_id,
                   double seconds);
  // An isolated plugin's worker process was lost (reason: crash | timeout | protocol | start), or replaced.
  void plugin_worker_failure(std::string_view plugin, std::string_view reason);
  void plugin_worker_restart(std::string_view plugin);

  // Every counter and histogram, then the process metrics (resident memory, CPU, uptime).
  void render(Exposition& out) const;

  // Zeroes everything (unit tests only).
  void reset();

 private:
  struct Series {
    std::atomic<std::uint64_t> count{0};
    std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size()> buckets{};
    std::atomic<std::uint64_t> sum_us{0};
  };
  // Label values joined with '\x1f' -> series.
  class Family {
   public:
    Series& at(const std::string& key);
    std::map<std::string, const Series*> snapshot() const;
    void clear();

   private:
    mutable std::shared_mutex mutex_;
    std::map<std::string, std::unique_ptr<Series>, std::less<>> series_;
  };

  std::string connector_of(std::string_view connection_id) const;

  Family events_;          // tenant, kind
  Family retries_;         // connector
  Family waits_;           // connection
  Family crm_;             // connector, operation
  Family worker_failures_; // plugin, reason
  Family worker_restarts_; // plugin
  std::array<std::atomic<std::uint64_t>, 5> jobs_{};
  mutable std::shared_mutex connectors_mutex_;
  std::map<std::string, std::string, std::less<>> connectors_; // connection -> connector, learned from calls
  std::int64_t started_ms_;
};

} // namespace appconnect::observability
