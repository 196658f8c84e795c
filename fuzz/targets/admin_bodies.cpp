// Admin API bodies: the decision on unresolved items (single and batch) and the rules simulation, whose
// candidate rule set then goes through the matching policy parser the simulation uses.
#include "admin/request_bodies.hpp"
#include "matching/phone.hpp"
#include "matching/policy.hpp"
#include "support/fuzz_common.hpp"

#include <appconnect/json_fields.hpp>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  appconnect::fuzz::quiet_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace appconnect;
  static const matching::PhoneNormalizer phones;
  boost::json::object body;
  try {
    body = admin::parse_body_object(fuzz::as_text(data, size));
  } catch (const sdk::json_fields::FieldError&) {
    return 0;
  }
  auto attempt = [](auto&& f) {
    try {
      f();
    } catch (const sdk::json_fields::FieldError&) {
      // A 422 answer.
    }
  };
  attempt([&] { (void)admin::parse_decision(body); });
  attempt([&] { (void)admin::parse_item_ids(body); });
  attempt([&] {
    const auto s = admin::parse_simulate(body);
    if (s.has_matching)
      (void)matching::policy_from(boost::json::object{{"matching", s.matching}}, boost::json::object{}, phones);
  });
  return 0;
}
