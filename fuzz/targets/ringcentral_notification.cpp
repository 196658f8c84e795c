// POST /v1/webhooks/ringcentral and `appconnect backfill`: RingCentral notification bodies and call-log
// exports are mapped to native events, which must then pass the native parser.
#include "ingest/event.hpp"
#include "ringcentral/mapping.hpp"
#include "support/fuzz_common.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  appconnect::fuzz::quiet_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace appconnect;
  const auto text = fuzz::as_text(data, size);
  ringcentral::MapOptions options;
  options.queue_extension_ids = {"900", "901"};
  if (auto doc = fuzz::parse_json(text)) {
    auto mapped = ringcentral::map_notification(*doc, options);
    for (const auto& e : mapped.events) (void)ingest::parse_event(e, options.tenant);
    if (doc->is_object()) {
      const auto settings = ringcentral::options_from_settings("t", doc->get_object());
      (void)settings;
    }
  }
  if (auto records = ringcentral::call_log_records(text))
    for (const auto& r : records.value())
      if (auto e = ringcentral::map_call_log_record(r, options)) (void)ingest::parse_event(e.value(), options.tenant);
  return 0;
}
