// Host-side decoding of what a plugin's invoke() answered across the C ABI: the status it returned and
// the document it wrote to the sink. Kept apart from the loader so the fuzzer can drive it without a
// shared library (fuzz/plugin_reply).
#pragma once

#include "common/result.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace appconnect::plugins {

struct RawReply {
  int status = 0;       // as returned by invoke, read as a plain int
  bool written = false; // the plugin wrote a document to the sink
  bool lost = false;    // ... that the host could not copy
  std::string_view text;
};

// The result document for APPCONNECT_STATUS_OK, or the plugin's error (its code passes through only
// when it is one of the SDK's codes), or a plugin fault (kInternal) for anything malformed.
Result<boost::json::value> decode_reply(const RawReply& reply, const std::string& plugin_id,
                                        std::string_view operation);

// The error returned (and logged) when a plugin broke the contract.
Error plugin_fault(const std::string& plugin_id, std::string_view operation, const std::string& what);

} // namespace appconnect::plugins
