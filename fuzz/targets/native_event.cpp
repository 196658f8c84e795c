// POST /v1/events: the JSON body goes through ingest::parse_event; an accepted event is then turned back
// into JSON (what is stored) and split and keyed the way the ingest service does.
#include "ingest/event.hpp"
#include "support/fuzz_common.hpp"

#include <boost/json/serialize.hpp>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  appconnect::fuzz::quiet_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace appconnect;
  auto doc = fuzz::parse_json(fuzz::as_text(data, size));
  if (!doc) return 0;
  auto event = ingest::parse_event(*doc, "default");
  if (!event) return 0;
  const auto stored = boost::json::serialize(ingest::to_json(event.value()));
  // What is stored must parse again to the same event (the worker reads it back).
  auto reread_doc = fuzz::parse_json(stored);
  if (!reread_doc) __builtin_trap();
  auto reread = ingest::parse_event(*reread_doc, "default");
  if (!reread || boost::json::serialize(ingest::to_json(reread.value())) != stored) __builtin_trap();
  for (const auto& e : ingest::split_group_message(event.value())) (void)ingest::conversation_key(e, "2026-01-01");
  return 0;
}
