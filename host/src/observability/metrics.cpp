#include "observability/metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <mutex>

namespace appconnect::observability {
namespace {

constexpr char kSep = '\x1f';

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string key_of(std::string_view a) {
  return std::string(a);
}
std::string key_of(std::string_view a, std::string_view b) {
  std::string k;
  k.reserve(a.size() + b.size() + 1);
  k.append(a).push_back(kSep);
  k.append(b);
  return k;
}

std::vector<std::string_view> split_key(std::string_view key) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const auto at = key.find(kSep, start);
    parts.push_back(key.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

constexpr std::array<const char*, 5> kOutcomeNames = {"logged", "placeholder", "queued", "failed", "skipped"};

// Resident set size from /proc (Linux): pages * page size.
double resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long long size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

double cpu_seconds() {
  rusage u{};
  if (::getrusage(RUSAGE_SELF, &u) != 0) return 0;
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

} // namespace

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  out_.append("# HELP ").append(name).push_back(' ');
  for (char c : help) {
    if (c == '\\')
      out_.append("\\\\");
    else if (c == '\n')
      out_.append("\\n");
    else
      out_.push_back(c);
  }
  out_.append("\n# TYPE ").append(name).push_back(' ');
  out_.append(type).push_back('\n');
}

void Exposition::sample(std::string_view name, const std::vector<std::pair<std::string_view, std::string_view>>& labels,
                        double value) {
  out_.append(name);
  if (!labels.empty()) {
    out_.push_back('{');
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out_.push_back(',');
      first = false;
      out_.append(k).append("=\"");
      for (char c : v) {
        if (c == '\\')
          out_.append("\\\\");
        else if (c == '"')
          out_.append("\\\"");
        else if (c == '\n')
          out_.append("\\n");
        else
          out_.push_back(c);
      }
      out_.push_back('"');
    }
    out_.push_back('}');
  }
  out_.push_back(' ');
  out_.append(number(value)).push_back('\n');
}

Metrics::Series& Metrics::Family::at(const std::string& key) {
  {
    std::shared_lock lock(mutex_);
    if (auto it = series_.find(key); it != series_.end()) return *it->second;
  }
  std::unique_lock lock(mutex_);
  if (auto it = series_.find(key); it != series_.end()) return *it->second;
  if (series_.size() >= kMaxSeries) {
    // Cardinality cap: fold new label sets into one series whose every label is "other".
    std::string other = "other";
    for (char c : key)
      if (c == kSep) other.append(1, kSep).append("other");
    auto& slot = series_[other];
    if (!slot) slot = std::make_unique<Series>();
    return *slot;
  }
  auto& slot = series_[key];
  slot = std::make_unique<Series>();
  return *slot;
}

std::map<std::string, const Metrics::Series*> Metrics::Family::snapshot() const {
  std::shared_lock lock(mutex_);
  std::map<std::string, const Series*> out;
  for (const auto& [k, s] : series_) out.emplace(k, s.get());
  return out;
}

void Metrics::Family::clear() {
  std::unique_lock lock(mutex_);
  series_.clear();
}

Metrics::Metrics() : started_ms_(wall_ms()) {}

Metrics& Metrics::global() {
  static Metrics metrics;
  return metrics;
}

void Metrics::event_received(std::string_view tenant, std::string_view kind) {
  events_.at(key_of(tenant, kind)).count.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::job_finished(JobOutcome outcome) {
  jobs_[static_cast<std::size_t>(outcome)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::retry(std::string_view connection_id) {
  retries_.at(connector_of(connection_id)).count.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::plugin_worker_failure(std::string_view plugin, std::string_view reason) {
  worker_failures_.at(key_of(plugin, reason)).count.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::plugin_worker_restart(std::string_view plugin) {
  worker_restarts_.at(key_of(plugin)).count.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::rate_limit_wait(std::string_view connection_id) {
  waits_.at(key_of(connection_id)).count.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::crm_request(std::string_view connector, std::string_view operation, std::string_view connection_id,
                          double seconds) {
  {
    std::shared_lock lock(connectors_mutex_);
    const auto it = connectors_.find(connection_id);
    if (it == connectors_.end() || it->second != connector) {
      lock.unlock();
      std::unique_lock write(connectors_mutex_);
      if (connectors_.size() < kMaxSeries) connectors_[std::string(connection_id)] = std::string(connector);
    }
  }
  auto& s = crm_.at(key_of(connector, operation));
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i)
    if (seconds <= kLatencyBuckets[i]) s.buckets[i].fetch_add(1, std::memory_order_relaxed);
  s.sum_us.fetch_add(static_cast<std::uint64_t>(std::max(0.0, seconds) * 1e6), std::memory_order_relaxed);
  s.count.fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::connector_of(std::string_view connection_id) const {
  std::shared_lock lock(connectors_mutex_);
  const auto it = connectors_.find(connection_id);
  return it == connectors_.end() ? std::string("unknown") : it->second;
}

void Metrics::render(Exposition& out) const {
  out.family("appconnect_events_received_total", "counter", "Events accepted (stored for the first time).");
  for (const auto& [key, s] : events_.snapshot()) {
    const auto l = split_key(key);
    out.sample("appconnect_events_received_total", {{"tenant", l.at(0)}, {"kind", l.at(1)}},
               static_cast<double>(s->count.load(std::memory_order_relaxed)));
  }
  out.family("appconnect_jobs_total", "counter", "Jobs finished, by outcome.");
  for (std::size_t i = 0; i < jobs_.size(); ++i)
    out.sample("appconnect_jobs_total", {{"outcome", kOutcomeNames[i]}},
               static_cast<double>(jobs_[i].load(std::memory_order_relaxed)));
  out.family("appconnect_retries_total", "counter", "Jobs scheduled for another attempt after a failed CRM call.");
  for (const auto& [key, s] : retries_.snapshot())
    out.sample("appconnect_retries_total", {{"connector", key}},
               static_cast<double>(s->count.load(std::memory_order_relaxed)));
  out.family("appconnect_plugin_worker_failures_total", "counter",
             "Worker processes of isolated plugins lost (crash, timeout, protocol) or not started (start).");
  for (const auto& [key, s] : worker_failures_.snapshot()) {
    const auto l = split_key(key);
    out.sample("appconnect_plugin_worker_failures_total", {{"plugin", l.at(0)}, {"reason", l.at(1)}},
               static_cast<double>(s->count.load(std::memory_order_relaxed)));
  }
  out.family("appconnect_plugin_worker_restarts_total", "counter",
             "Replacement worker processes started for isolated plugins.");
  for (const auto& [key, s] : worker_restarts_.snapshot())
    out.sample("appconnect_plugin_worker_restarts_total", {{"plugin", key}},
               static_cast<double>(s->count.load(std::memory_order_relaxed)));
  out.family("appconnect_rate_limit_waits_total", "counter",
             "Jobs held back because a connection is rate limited or out of quota.");
  for (const auto& [key, s] : waits_.snapshot())
    out.sample("appconnect_rate_limit_waits_total", {{"connection", key}},
               static_cast<double>(s->count.load(std::memory_order_relaxed)));
  out.family("appconnect_crm_request_seconds", "histogram", "Time of one connector operation (plugin call).");
  for (const auto& [key, s] : crm_.snapshot()) {
    const auto l = split_key(key);
    for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      const std::string le = number(kLatencyBuckets[i]);
      out.sample("appconnect_crm_request_seconds_bucket", {{"connector", l.at(0)}, {"operation", l.at(1)}, {"le", le}},
                 static_cast<double>(s->buckets[i].load(std::memory_order_relaxed)));
    }
    const double count = static_cast<double>(s->count.load(std::memory_order_relaxed));
    out.sample("appconnect_crm_request_seconds_bucket",
               {{"connector", l.at(0)}, {"operation", l.at(1)}, {"le", "+Inf"}}, count);
    out.sample("appconnect_crm_request_seconds_sum", {{"connector", l.at(0)}, {"operation", l.at(1)}},
               static_cast<double>(s->sum_us.load(std::memory_order_relaxed)) / 1e6);
    out.sample("appconnect_crm_request_seconds_count", {{"connector", l.at(0)}, {"operation", l.at(1)}}, count);
  }
  out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  out.sample("process_resident_memory_bytes", {}, resident_bytes());
  out.family("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
  out.sample("process_cpu_seconds_total", {}, cpu_seconds());
  out.family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.");
  out.sample("process_start_time_seconds", {}, static_cast<double>(started_ms_ / 1000));
  out.family("appconnect_uptime_seconds", "gauge", "Seconds since the host started.");
  out.sample("appconnect_uptime_seconds", {}, static_cast<double>(wall_ms() - started_ms_) / 1000.0);
}

void Metrics::reset() {
  events_.clear();
  retries_.clear();
  worker_failures_.clear();
  worker_restarts_.clear();
  waits_.clear();
  crm_.clear();
  for (auto& j : jobs_) j.store(0);
  std::unique_lock lock(connectors_mutex_);
  connectors_.clear();
}

} // namespace appconnect::observability
