// Salesforce record ids: 15 case-sensitive characters (3-character key prefix, then instance and
// counter), and the 18-character form the API returns, whose 3-character suffix encodes the case of
// the first 15 so the id survives case-insensitive handling.
// Suffix algorithm: https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm (ID type)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace appconnect::crm_sandbox::salesforce {

// The 3-character case suffix of a 15-character id.
std::string id_suffix(std::string_view id15);
// A new 18-character id: key prefix + "SB" (the sandbox's "instance") + base62 counter + suffix.
std::string make_id(std::string_view key_prefix, std::uint64_t counter);
// The 18-character form of a 15- or 18-character id, or nullopt when it is not a well-formed id.
std::optional<std::string> normalize_id(std::string_view id);

} // namespace appconnect::crm_sandbox::salesforce
