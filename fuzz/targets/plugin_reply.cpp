// What crosses the plugin ABI into the host: the manifest a plugin publishes and the documents its
// invoke() writes (result or error), decoded and then converted to the SDK types the pipeline uses.
// The first byte picks the case: manifest, or a reply with one of the four defined statuses or another.
#include "plugins/manifest.hpp"
#include "plugins/reply.hpp"
#include "support/fuzz_common.hpp"

#include <appconnect/abi.h>
#include <appconnect/types.hpp>

#include <boost/json/value_to.hpp>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  appconnect::fuzz::quiet_logs();
  return 0;
}

namespace {

template <class T>
void convert(const boost::json::value& v) {
  try {
    (void)boost::json::value_to<T>(v);
  } catch (const std::exception&) {
    // The pipeline catches conversion failures and treats them as a plugin fault.
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace appconnect;
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const auto text = fuzz::as_text(data + 1, size - 1);
  if (selector % 6 == 0) {
    (void)plugins::parse_manifest(text);
    return 0;
  }
  static constexpr int kStatuses[] = {APPCONNECT_STATUS_OK, APPCONNECT_STATUS_ERROR, APPCONNECT_STATUS_BAD_REQUEST,
                                      APPCONNECT_STATUS_UNSUPPORTED, 77};
  plugins::RawReply raw{kStatuses[(selector / 6) % 5], (selector & 0x40) == 0, (selector & 0x80) != 0, text};
  auto decoded = plugins::decode_reply(raw, "fuzz", "find_contacts");
  if (!decoded) return 0;
  const auto& v = decoded.value();
  convert<sdk::FindContactsResult>(v);
  convert<sdk::Contact>(v);
  convert<sdk::LogRecordRef>(v);
  convert<sdk::FindLogByExternalIdResult>(v);
  convert<sdk::ListUsersResult>(v);
  convert<sdk::OAuthTokens>(v);
  convert<sdk::OAuthAuthorizeUrlResult>(v);
  convert<sdk::CallLog>(v);
  convert<sdk::MessageLog>(v);
  return 0;
}
