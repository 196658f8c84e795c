// The cost the pipeline pays per counted thing (observability/metrics.hpp): one event received (a
// labelled counter), one job outcome (a plain atomic), one CRM call timed into a histogram.
#include "observability/metrics.hpp"

#include <benchmark/benchmark.h>

namespace {
using appconnect::observability::JobOutcome;
using appconnect::observability::Metrics;

void BM_MetricsEventReceived(benchmark::State& state) {
  Metrics m;
  for (auto _ : state) m.event_received("acme-corporation", "call");
}
BENCHMARK(BM_MetricsEventReceived)->ThreadRange(1, 4);

void BM_MetricsJobFinished(benchmark::State& state) {
  Metrics m;
  for (auto _ : state) m.job_finished(JobOutcome::kLogged);
}
BENCHMARK(BM_MetricsJobFinished)->ThreadRange(1, 4);

void BM_MetricsCrmRequest(benchmark::State& state) {
  Metrics m;
  for (auto _ : state) m.crm_request("salesforce", "find_contacts", "sf-production", 0.042);
}
BENCHMARK(BM_MetricsCrmRequest)->ThreadRange(1, 4);

void BM_MetricsRender(benchmark::State& state) {
  Metrics m;
  for (int t = 0; t < 20; ++t)
    for (const char* kind : {"call", "sms", "fax", "voicemail"}) m.event_received("tenant-" + std::to_string(t), kind);
  for (const char* op : {"find_contacts", "create_call_log", "update_call_log", "get_log"})
    m.crm_request("salesforce", op, "sf-1", 0.1);
  for (auto _ : state) {
    appconnect::observability::Exposition out;
    m.render(out);
    benchmark::DoNotOptimize(out.text().data());
  }
}
BENCHMARK(BM_MetricsRender);

} // namespace
