// Secrets inside settings objects (a tenant's ingest_hmac_secret, its ringcentral.verification_token):
// sealed value by value with the secrets box (security/secret_box.hpp) before a settings object is
// written, opened when it is read, so the database never holds them in clear while every other setting
// stays plain JSON that an operator can read and query.
//
// A secret is any non-null value whose key (or, for a dotted key, its last segment) is one of
// kSecretSettingNames or ends in "_secret", "_token" or "_password", at any depth of objects. It is
// stored as the envelope of its JSON text, bound to `context` + ":" + its dotted path.
#pragma once

#include "common/result.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace appconnect::security {
class SecretBox;
}

namespace appconnect::store {

bool is_secret_setting(std::string_view key);

// Whether `settings` holds a secret value that is not sealed (what would be written in clear without a box).
bool has_plain_secret_settings(const boost::json::object& settings);

// Seals every secret that is not an envelope yet. Without a box, returns `settings` unchanged.
boost::json::object seal_secret_settings(const security::SecretBox* box, boost::json::object settings,
                                         const std::string& context);

// Opens every sealed secret. Fails when one cannot be opened (no box, unknown key, altered bytes); a
// plaintext secret from before encryption is returned as it is.
Result<boost::json::object> open_secret_settings(const security::SecretBox* box, boost::json::object settings,
                                                 const std::string& context);

// Whether a stored (sealed) settings object has a secret that is plaintext or sealed with another key
// than the box's primary: what a key rotation or the host's start must rewrite.
bool settings_need_reseal(const security::SecretBox& box, const boost::json::object& stored);

} // namespace appconnect::store
