#include "store/settings_secrets.hpp"

#include "security/secret_box.hpp"

#include <boost/json.hpp>

#include <array>
#include <functional>

namespace appconnect::store {
namespace {

constexpr std::array<std::string_view, 2> kSecretSettingNames{"ingest_hmac_secret", "verification_token"};
constexpr std::array<std::string_view, 3> kSecretSuffixes{"_secret", "_token", "_password"};

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string joined(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

// Calls `visit` with every secret value (and its dotted path) of `settings`, at any depth of objects.
void each_secret(boost::json::object& settings, const std::string& prefix,
                 const std::function<void(boost::json::value&, const std::string&)>& visit) {
  for (auto& kv : settings) {
    const std::string path = joined(prefix, kv.key());
    if (kv.value().is_null()) continue;
    if (is_secret_setting(kv.key()))
      visit(kv.value(), path);
    else if (kv.value().is_object())
      each_secret(kv.value().get_object(), path, visit);
  }
}

bool is_sealed(const boost::json::value& v) {
  return v.is_string() && security::SecretBox::is_envelope(v.get_string());
}

} // namespace

bool is_secret_setting(std::string_view key) {
  if (const auto dot = key.rfind('.'); dot != std::string_view::npos) key = key.substr(dot + 1);
  for (auto name : kSecretSettingNames)
    if (key == name) return true;
  for (auto suffix : kSecretSuffixes)
    if (ends_with(key, suffix)) return true;
  return false;
}

bool has_plain_secret_settings(const boost::json::object& settings) {
  boost::json::object copy = settings;
  bool plain = false;
  each_secret(copy, "", [&](boost::json::value& v, const std::string&) { plain = plain || !is_sealed(v); });
  return plain;
}

boost::json::object seal_secret_settings(const security::SecretBox* box, boost::json::object settings,
                                         const std::string& context) {
  if (box == nullptr) return settings;
  each_secret(settings, "", [&](boost::json::value& v, const std::string& path) {
    if (!is_sealed(v)) v = boost::json::string(box->seal(boost::json::serialize(v), context + ":" + path));
  });
  return settings;
}

Result<boost::json::object> open_secret_settings(const security::SecretBox* box, boost::json::object settings,
                                                 const std::string& context) {
  std::string problem;
  each_secret(settings, "", [&](boost::json::value& v, const std::string& path) {
    if (!problem.empty() || !is_sealed(v)) return; // plaintext from before encryption: as it is
    if (box == nullptr) {
      problem = "the setting '" + path + "' is encrypted but no secrets key is configured (set 'secrets_key_file')";
      return;
    }
    auto opened = box->open(v.get_string(), context + ":" + path);
    if (!opened) {
      problem = "the setting '" + path + "': " + opened.error().message;
      return;
    }
    boost::system::error_code ec;
    auto parsed = boost::json::parse(opened.value(), ec);
    if (ec) {
      problem = "the setting '" + path + "' opened to something that is not JSON";
      return;
    }
    v = std::move(parsed);
  });
  if (!problem.empty()) return Error::make(error_code::kInternal, context + ": " + problem, false);
  return settings;
}

bool settings_need_reseal(const security::SecretBox& box, const boost::json::object& stored) {
  boost::json::object copy = stored;
  bool stale = false;
  each_secret(copy, "", [&](boost::json::value& v, const std::string&) {
    stale = stale || !is_sealed(v) || security::SecretBox::key_id_of(v.get_string()) != box.primary_id();
  });
  return stale;
}

} // namespace appconnect::store
