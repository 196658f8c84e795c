// The host's config file (`serve --config FILE`), parsed over the defaults.
#include "config/config.hpp"
#include "support/fuzz_common.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  appconnect::fuzz::quiet_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace appconnect;
  auto config = config::parse_config_text(fuzz::as_text(data, size), "fuzz/appconnect.json");
  if (config) {
    (void)config.value().database_url();
    (void)config::parse_listen(config.value().listen);
  }
  return 0;
}
