// Native event parsing: what POST /v1/events does with a body before it touches the database, and what
// a worker does again with the stored payload.
#include "ingest/event.hpp"

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <string>

namespace {

// The README's example call, the shape every benchmark event has.
const std::string kEventText = R"({
  "id": "evt-bench-0001", "tenant": "default", "kind": "call", "direction": "inbound",
  "start_time": "2026-11-25T09:30:00-05:00",
  "from": { "phone": "+1 (617) 555-0171", "name": "Noah Fischer" },
  "to": { "phone": "+16505550100" },
  "agent": { "extension_id": "101", "email": "maria.garcia@acme-demo.example", "name": "Maria Garcia" },
  "call": { "session_id": "s-bench-0001", "state": "ended", "duration_s": 95, "result": "answered",
            "recording_url": "https://recordings.example.com/s-bench-0001.mp3",
            "notes": "Asked about the renewal quote." }
})";

// Body text -> validated event: JSON parse plus field validation.
void BM_EventParseFromText(benchmark::State& state) {
  for (auto _ : state) {
    auto doc = boost::json::parse(kEventText);
    auto event = appconnect::ingest::parse_event(doc, "default");
    if (!event) state.SkipWithError("the benchmark event does not parse");
    benchmark::DoNotOptimize(event);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kEventText.size()));
}
BENCHMARK(BM_EventParseFromText);

// parse_event alone, on an already parsed document.
void BM_EventValidate(benchmark::State& state) {
  const auto doc = boost::json::parse(kEventText);
  for (auto _ : state) {
    auto event = appconnect::ingest::parse_event(doc, "default");
    benchmark::DoNotOptimize(event);
  }
}
BENCHMARK(BM_EventValidate);

// The rest of the accept path before the INSERT: canonical JSON and the conversation key.
void BM_EventCanonicalize(benchmark::State& state) {
  const auto event = appconnect::ingest::parse_event(boost::json::parse(kEventText), "default").value();
  for (auto _ : state) {
    auto payload = boost::json::serialize(appconnect::ingest::to_json(event));
    auto key = appconnect::ingest::conversation_key(event);
    benchmark::DoNotOptimize(payload);
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_EventCanonicalize);

} // namespace
