#include "conformance.hpp"

#include "transcript.hpp"

#include "httpclient/http_client.hpp"
#include "plugins/host_services.hpp"
#include "plugins/plugin_registry.hpp"

#include <appconnect/http.hpp>
#include <appconnect/time.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

namespace appconnect::plugin_check {

namespace json = boost::json;
using plugins::CallScope;
using plugins::LoadedPlugin;

int Report::count(Status s) const {
  int n = 0;
  for (const auto& c : checks) n += c.status == s ? 1 : 0;
  return n;
}

namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string str(const json::value& v, std::string_view key) {
  if (const auto* o = v.if_object())
    if (const auto* p = o->if_contains(key); p && p->is_string()) return std::string(p->get_string());
  return {};
}

// Replaces "${SANDBOX_URL}" in every string of `v`.
void substitute(json::value& v, const std::string& url) {
  if (auto* s = v.if_string()) {
    std::string text(*s);
    for (auto pos = text.find("${SANDBOX_URL}"); pos != std::string::npos; pos = text.find("${SANDBOX_URL}", pos))
      text.replace(pos, 14, url);
    *s = text;
  } else if (auto* o = v.if_object()) {
    for (auto& kv : *o) substitute(kv.value(), url);
  } else if (auto* a = v.if_array()) {
    for (auto& e : *a) substitute(e, url);
  }
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

class Runner {
 public:
  Runner(const Options& options, Report& report) : options_(options), report_(report) {}

  void run() {
    threads_ = options_.threads;
    if (!options_.transcript_file.empty() && !open_transcript()) return;
    if (!load()) return;
    manifest_checks();
    boundary_checks();
    if (control_url_.empty()) {
      for (const char* name : {"op.*", "idempotency.*", "errors.*", "timeout", "large_payload", "concurrency"})
        add(name, Status::kSkip, "needs --sandbox URL or --transcript FILE", 0);
      return;
    }
    if (!replay_) {
      std::mt19937_64 rng{std::random_device{}()};
      nonce_ = std::to_string(wall_ms()) + "-" + std::to_string(rng() % 100000);
      phone_ = "+1702555" + std::to_string(1000 + rng() % 9000);
    }
    if (!options_.record_file.empty() && !start_recording()) return;
    if (!connect()) return;
    operations();
    error_mapping();
    timeout();
    large_payload();
    concurrency();
  }

 private:
  struct Outcome {
    Result<json::value> result;
    std::int64_t ms;
  };

  void add(std::string name, Status status, std::string detail, std::int64_t ms) {
    // In a replay, a request the transcript cannot answer fails the check that made it, whatever the plugin
    // made of the 501 it got.
    if (replay_) {
      const auto missing = replay_->take_unmatched();
      if (!missing.empty()) {
        std::string list;
        for (std::size_t i = 0; i < missing.size() && i < 3; ++i) list += (i ? "; " : "") + missing[i];
        if (missing.size() > 3) list += "; and " + std::to_string(missing.size() - 3) + " more";
        detail =
            "the transcript has no recorded exchange for " + list + " (" + status_name(status) + ": " + detail + ")";
        status = Status::kFail;
      }
      const auto loose = replay_->take_loose_matches();
      if (status == Status::kFail && !loose.empty())
        detail += "; the transcript answered " + loose.front() +
                  (loose.size() > 1 ? " (and " + std::to_string(loose.size() - 1) + " more such)" : "");
    }
    report_.checks.push_back({std::move(name), status, std::move(detail), ms});
  }
  static std::string status_name(Status s) {
    return s == Status::kPass ? "would have passed" : s == Status::kFail ? "failed" : "skipped";
  }
  void pass(std::string name, std::string detail, std::int64_t ms = 0) {
    add(std::move(name), Status::kPass, std::move(detail), ms);
  }
  void fail(std::string name, std::string detail, std::int64_t ms = 0) {
    add(std::move(name), Status::kFail, std::move(detail), ms);
  }
  void skip(std::string name, std::string detail) { add(std::move(name), Status::kSkip, std::move(detail), 0); }

  bool declares(std::string_view capability) const { return plugin_->supports(capability); }

  Outcome invoke(std::string_view op, const json::value& request, std::int64_t deadline_unix_ms = 0) const {
    CallScope scope{report_.plugin_id, "plugin-check", "plugin-check", deadline_unix_ms};
    const auto start = std::chrono::steady_clock::now();
    auto r = plugin_->invoke(op, request, context_, scope);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    return {std::move(r), ms};
  }

  static std::string describe(const Error& e) {
    std::string s = e.code + (e.retryable ? " (retryable" : " (not retryable");
    if (e.retry_after_ms) s += ", retry_after_ms " + std::to_string(*e.retry_after_ms);
    if (e.crm_status) s += ", CRM status " + std::to_string(*e.crm_status);
    return s + "): " + e.message;
  }

  // ---- loading and the manifest

  bool load() {
    services_ = std::make_shared<plugins::HostServices>(std::make_shared<httpclient::HttpClient>());
    registry_ = std::make_unique<plugins::PluginRegistry>(services_);
    if (options_.isolated) {
      plugins::IsolationSettings isolation;
      isolation.workers = std::max(1, threads_);
      isolation.invoke_timeout_ms = 30000;
      registry_->set_isolation({"*"}, std::move(isolation));
    }
    const auto start = wall_ms();
    registry_->load_file(options_.plugin);
    if (!registry_->refusals().empty() || registry_->plugins().empty()) {
      fail("load", registry_->refusals().empty() ? "nothing loaded" : registry_->refusals().front().reason,
           wall_ms() - start);
      return false;
    }
    plugin_ = registry_->plugins().front();
    const auto& m = plugin_->manifest();
    report_.plugin_id = m.id;
    report_.plugin_version = m.version;
    report_.abi_major = m.abi_major;
    report_.abi_minor = m.abi_minor;
    pass("load",
         "accepted by the host's loader: " + m.id + " " + m.version + ", ABI " + std::to_string(m.abi_major) + "." +
             std::to_string(m.abi_minor),
         wall_ms() - start);
    return true;
  }

  void manifest_checks() {
    const auto& m = plugin_->manifest();
    auto sidecar = options_.plugin;
    sidecar.replace_extension(".manifest.json");
    if (std::filesystem::exists(sidecar))
      pass("manifest.sidecar", sidecar.filename().string() + " ships beside the library and agrees with it");
    else
      fail("manifest.sidecar", "no " + sidecar.filename().string() +
                                   " beside the library (appconnect_add_plugin writes it; package it with the .so)");

    auto described = invoke("describe", json::object{});
    if (described.result && str(described.result.value(), "id") == m.id)
      pass("manifest.describe", "describe returns the embedded manifest");
    else
      fail("manifest.describe", described.result ? "describe returned another document"
                                                 : "describe failed: " + describe(described.result.error()));

    const std::set<std::string> unique(m.capabilities.begin(), m.capabilities.end());
    if (m.capabilities.empty())
      fail("manifest.capabilities", "no capabilities declared: the host would never call the plugin");
    else if (unique.size() != m.capabilities.size())
      fail("manifest.capabilities", "a capability is listed twice");
    else if (!unique.count("create_call_log") || !unique.count("find_log_by_external_id"))
      fail("manifest.capabilities",
           "create_call_log and find_log_by_external_id are required: without them the host cannot log a call "
           "exactly once");
    else
      pass("manifest.capabilities", std::to_string(m.capabilities.size()) + " declared");

    if (unique.count("create_contact") && m.contact_types.empty())
      fail("manifest.contact_types", "create_contact is declared but contact_types is empty");
    else
      pass("manifest.contact_types",
           m.contact_types.empty() ? "none (no create_contact)" : std::to_string(m.contact_types.size()) + " type(s)");
  }

  void boundary_checks() {
    auto unknown = invoke("plugin_check_no_such_operation", json::object{});
    if (!unknown.result && unknown.result.error().code == "unsupported")
      pass("call.unknown_operation", "answers unsupported");
    else
      fail("call.unknown_operation", unknown.result ? "answered OK to an operation that does not exist"
                                                    : "expected unsupported, got " + describe(unknown.result.error()));
    if (!declares("find_contacts")) return skip("call.bad_request", "find_contacts not declared");
    auto bad = invoke("find_contacts", json::object{{"phone", 42}});
    if (!bad.result && !bad.result.error().retryable)
      pass("call.bad_request", "a request without phone_e164 is refused: " + bad.result.error().code);
    else
      fail("call.bad_request", bad.result ? "accepted a find_contacts request without phone_e164"
                                          : "refusal must not be retryable: " + describe(bad.result.error()));
  }

  // ---- record and replay

  // The replay server stands in for the sandbox: plugin and control calls both go to it, and the run takes
  // the recording's nonce, phone, clock and thread count so that the plugin sends the recorded requests.
  bool open_transcript() {
    try {
      replay_ = std::make_unique<ReplayServer>(options_.transcript_file);
    } catch (const std::exception& e) {
      fail("transcript", e.what());
      return false;
    }
    const auto& meta = replay_->meta();
    control_url_ = crm_url_ = replay_->url();
    nonce_ = meta.nonce;
    phone_ = meta.phone;
    clock_ms_ = meta.clock_ms;
    threads_ = meta.threads;
    return true;
  }

  bool start_recording() {
    TranscriptMeta meta;
    meta.nonce = nonce_;
    meta.phone = phone_;
    clock_ms_ = wall_ms();
    meta.clock_ms = *clock_ms_;
    meta.threads = threads_;
    meta.plugin_id = report_.plugin_id;
    meta.plugin_version = report_.plugin_version;
    auto health = control("GET", "/__sandbox/health");
    if (health && health->ok()) meta.crm = str(health->json(), "crm");
    try {
      recorder_ = std::make_unique<RecordingProxy>(options_.sandbox_url, options_.record_file, meta);
    } catch (const std::exception& e) {
      fail("record", e.what());
      return false;
    }
    crm_url_ = recorder_->url();
    return true;
  }

  // The clock the logs' start times are taken from: fixed while recording or replaying, so that the plugin's
  // request bodies come out the same both times.
  std::int64_t now_ms() const { return clock_ms_ ? *clock_ms_ : wall_ms(); }

  // ---- the sandbox

  Result<sdk::HttpResponse> control(const std::string& method, const std::string& path,
                                    const json::value& body = json::object{}) {
    sdk::HttpRequest request;
    request.method = method;
    request.url = control_url_ + path;
    request.timeout_ms = 10000;
    if (method != "GET") {
      request.headers["Content-Type"] = "application/json";
      request.body = json::serialize(body);
    }
    return http_.send(request);
  }

  bool knob(const json::object& knobs, const std::string& check) {
    auto r = control("POST", "/__sandbox/config", knobs);
    if (r && r->ok()) {
      if (recorder_)
        if (const auto* faults = knobs.if_contains("fail_next"); faults && faults->is_array())
          for (const auto& f : faults->get_array())
            recorder_->expect_faults(f.as_object().at("count").to_number<int>());
      return true;
    }
    fail(check, "the sandbox refused " + json::serialize(knobs) + ": " + (r ? r->body : r.error().message));
    return false;
  }

  bool connect() {
    auto health = control("GET", "/__sandbox/health");
    if (!health || !health->ok()) {
      fail("sandbox", "no sandbox control API at " + control_url_ + "/__sandbox/health: " +
                          (health ? "HTTP " + std::to_string(health->status) : health.error().message));
      return false;
    }
    report_.sandbox_crm = str(health->json(), "crm");
    json::object settings, credentials;
    if (options_.connection) {
      json::value doc = *options_.connection;
      substitute(doc, crm_url_);
      if (const auto* s = doc.as_object().if_contains("settings"); s && s->is_object()) settings = s->get_object();
      if (const auto* c = doc.as_object().if_contains("credentials"); c && c->is_object())
        credentials = c->get_object();
    } else if (const auto* declared = plugin_->manifest().raw.if_contains("settings");
               declared && declared->is_array()) {
      for (const auto& s : declared->get_array()) {
        const std::string key = str(s, "key"), fallback = str(s, "default");
        if (fallback.rfind("http", 0) == 0 || ends_with(key, "_url") || ends_with(key, "_domain"))
          settings[key] = crm_url_;
      }
    }
    if (str(credentials, "access_token").empty()) {
      auto token = control("POST", "/__sandbox/issue-token");
      if (!token || !token->ok() || str(token->json(), "access_token").empty()) {
        fail("sandbox",
             "POST /__sandbox/issue-token gave no access token: " + (token ? token->body : token.error().message));
        return false;
      }
      credentials["access_token"] = str(token->json(), "access_token");
    }
    context_ = json::object{{"connection_id", "plugin-check"},
                            {"tenant_id", "plugin-check"},
                            {"settings", settings},
                            {"credentials", credentials}};
    // Faults and latency left behind by an earlier run would make every check below fail for no reason.
    knob(json::object{{"latency_ms", 0}, {"latency_jitter_ms", 0}, {"fail_rate_429", 0}, {"fail_rate_5xx", 0}},
         "sandbox");
    auto pending = control("GET", "/__sandbox/config");
    if (pending && pending->ok()) {
      const auto doc = pending->json();
      if (const auto* q = doc.as_object().if_contains("fail_next"); q && q->is_array() && !q->get_array().empty()) {
        fail("sandbox", "the sandbox has scripted faults pending (POST /__sandbox/reset it first)");
        return false;
      }
    }
    if (replay_) {
      const auto& meta = replay_->meta();
      if (!meta.plugin_id.empty() && meta.plugin_id != report_.plugin_id) {
        fail("sandbox", "the transcript was recorded with plugin " + meta.plugin_id + ", not " + report_.plugin_id);
        return false;
      }
      pass("sandbox", "transcript " + options_.transcript_file.filename().string() + ": " +
                          std::to_string(replay_->exchanges()) + " exchanges recorded against the " + meta.crm +
                          " sandbox with " + meta.plugin_id + " " + meta.plugin_version + ", replayed at " + crm_url_);
    } else if (recorder_) {
      pass("sandbox", report_.sandbox_crm + " sandbox at " + options_.sandbox_url + ", recorded through " + crm_url_ +
                          " to " + options_.record_file.string());
    } else {
      pass("sandbox", report_.sandbox_crm + " sandbox at " + options_.sandbox_url);
    }
    return true;
  }

  // ---- operations

  json::object call_log(const std::string& external_id, const std::string& body) const {
    const auto& formats = plugin_->manifest().body_formats;
    return json::object{{"external_id", external_id},
                        {"contact_id", contact_id_},
                        {"contact_type", contact_type_},
                        {"owner_id", owner_id_},
                        {"direction", "inbound"},
                        {"from_phone", phone_},
                        {"to_phone", "+16505550100"},
                        {"start_time", sdk::time::format_iso8601_utc(now_ms() - 120000)},
                        {"duration_s", 42},
                        {"result", "answered"},
                        {"subject", "Plugin check call"},
                        {"body", body},
                        {"body_format", formats.empty() ? "text" : formats.front()},
                        {"pending", false}};
  }

  json::object message_log(const std::string& external_id, const std::string& body) const {
    return json::object{{"external_id", external_id},
                        {"kind", "sms"},
                        {"contact_id", contact_id_},
                        {"contact_type", contact_type_},
                        {"owner_id", owner_id_},
                        {"direction", "inbound"},
                        {"from_phone", phone_},
                        {"to_phone", "+16505550100"},
                        {"start_time", sdk::time::format_iso8601_utc(now_ms() - 60000)},
                        {"subject", "Plugin check SMS"},
                        {"body", body},
                        {"body_format", "text"},
                        {"message_count", 2}};
  }

  // Runs `op` when declared; false (with the check recorded as failed or skipped) otherwise.
  bool expect_ok(const std::string& check, std::string_view capability, std::string_view op, const json::value& request,
                 json::value& out) {
    if (!declares(capability)) {
      skip(check, std::string(capability) + " not declared");
      return false;
    }
    auto o = invoke(op, request);
    if (!o.result) {
      fail(check, describe(o.result.error()), o.ms);
      return false;
    }
    out = std::move(o.result.value());
    last_ms_ = o.ms;
    return true;
  }

  void operations() {
    json::value out;

    if (expect_ok("op.list_users", "list_users", "list_users", json::object{}, out)) {
      const auto* users = out.as_object().if_contains("users");
      if (users == nullptr || !users->is_array() || users->get_array().empty()) {
        fail("op.list_users", "no users in the answer", last_ms_);
      } else {
        for (const auto& u : users->get_array())
          if (owner_id_.empty() && (!u.as_object().contains("active") || u.at("active") == true))
            owner_id_ = str(u, "id");
        pass("op.list_users", std::to_string(users->get_array().size()) + " user(s)", last_ms_);
      }
    }

    const auto& types = plugin_->manifest().contact_types;
    contact_type_ = types.empty() ? std::string() : types.front();
    if (expect_ok("op.create_contact", "create_contact", "create_contact",
                  json::object{{"type", contact_type_},
                               {"first_name", "Plugin"},
                               {"last_name", "Check " + nonce_},
                               {"phone", phone_},
                               {"company", "Plugin Check Inc"},
                               {"owner_id", owner_id_},
                               {"source", "Phone Inquiry"}},
                  out)) {
      contact_id_ = str(out, "id");
      if (contact_id_.empty())
        fail("op.create_contact", "answer without an id", last_ms_);
      else
        pass("op.create_contact", contact_type_ + " " + contact_id_, last_ms_);
    }

    if (declares("find_contacts") && !contact_id_.empty()) {
      // Some CRMs index new records for search a little later: look for up to 10 s.
      const auto give_up = wall_ms() + 10000;
      std::string seen;
      Outcome o{Error{}, 0};
      while (true) {
        o = invoke("find_contacts", json::object{{"phone_e164", phone_}, {"limit", 20}});
        if (o.result) {
          seen.clear();
          for (const auto& c : o.result.value().at("contacts").as_array()) seen += str(c, "id") + " ";
          if (seen.find(contact_id_ + " ") != std::string::npos) break;
        }
        if (!o.result || wall_ms() > give_up) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
      }
      if (!o.result)
        fail("op.find_contacts", describe(o.result.error()), o.ms);
      else if (seen.find(contact_id_ + " ") == std::string::npos)
        fail("op.find_contacts",
             "the contact just created (" + contact_id_ + ") was not found by " + phone_ + "; found: [" + seen + "]",
             o.ms);
      else
        pass("op.find_contacts", "finds the new contact by " + phone_, o.ms);
    } else {
      skip("op.find_contacts", declares("find_contacts") ? "no contact was created" : "find_contacts not declared");
    }

    const std::string call_key = "plugin-check-" + nonce_ + "-call";
    if (expect_ok("op.create_call_log", "create_call_log", "create_call_log",
                  json::object{{"log", call_log(call_key, "Created by appconnect-plugin-check.")}}, out)) {
      call_id_ = str(out, "id");
      call_id_.empty() ? fail("op.create_call_log", "answer without an id", last_ms_)
                       : pass("op.create_call_log", "record " + call_id_, last_ms_);
    }
    find_again("idempotency.call", call_key, "call", call_id_);

    const std::string marker = "Updated by appconnect-plugin-check " + nonce_ + ".";
    if (!call_id_.empty() && expect_ok("op.update_call_log", "update_call_log", "update_call_log",
                                       json::object{{"id", call_id_}, {"log", call_log(call_key, marker)}}, out)) {
      str(out, "id") == call_id_ ? pass("op.update_call_log", "record " + call_id_, last_ms_)
                                 : fail("op.update_call_log", "answered another id: " + str(out, "id"), last_ms_);
    } else if (call_id_.empty()) {
      skip("op.update_call_log", "no call record was created");
    }

    if (!call_id_.empty() &&
        expect_ok("op.get_log", "get_log", "get_log", json::object{{"id", call_id_}, {"kind", "call"}}, out)) {
      const std::string body = str(out, "body");
      body.find(marker) != std::string::npos
          ? pass("op.get_log", "returns the updated body", last_ms_)
          : fail("op.get_log", "the body does not hold the update: " + body.substr(0, 200), last_ms_);
    } else if (call_id_.empty()) {
      skip("op.get_log", "no call record was created");
    }

    const std::string sms_key = "plugin-check-" + nonce_ + "-sms";
    std::string sms_id;
    if (expect_ok("op.create_message_log", "create_message_log", "create_message_log",
                  json::object{{"log", message_log(sms_key, "Two messages.")}}, out)) {
      sms_id = str(out, "id");
      sms_id.empty() ? fail("op.create_message_log", "answer without an id", last_ms_)
                     : pass("op.create_message_log", "record " + sms_id, last_ms_);
    }
    find_again("idempotency.sms", sms_key, "sms", sms_id);
    if (!sms_id.empty() && expect_ok("op.update_message_log", "update_message_log", "update_message_log",
                                     json::object{{"id", sms_id}, {"log", message_log(sms_key, marker)}}, out))
      pass("op.update_message_log", "record " + str(out, "id"), last_ms_);
    else if (sms_id.empty())
      skip("op.update_message_log", "no message record was created");

    if (declares("find_log_by_external_id")) {
      auto none = invoke("find_log_by_external_id",
                         json::object{{"external_id", "plugin-check-never-written-" + nonce_}, {"kind", "call"}});
      if (none.result && none.result.value().at("found") == false)
        pass("idempotency.absent", "an unknown external id is reported as not found", none.ms);
      else
        fail("idempotency.absent",
             none.result ? "found a record for an external id nobody wrote" : describe(none.result.error()), none.ms);
    }
    oauth();
  }

  // find_log_by_external_id must return the record create returned: how the host avoids a second record
  // after a crash between the CRM's answer and its own commit.
  void find_again(const std::string& check, const std::string& key, const std::string& kind, const std::string& id) {
    if (id.empty()) return skip(check, "nothing was created");
    if (!declares("find_log_by_external_id")) return fail(check, "find_log_by_external_id is not declared");
    auto o = invoke("find_log_by_external_id", json::object{{"external_id", key}, {"kind", kind}});
    if (!o.result) return fail(check, describe(o.result.error()), o.ms);
    const auto& doc = o.result.value();
    if (doc.at("found") != true) return fail(check, "the record created as " + key + " is not found by it", o.ms);
    const std::string found = str(doc.at("record"), "id");
    if (found != id) return fail(check, "found " + found + " but create returned " + id, o.ms);
    pass(check, "create then find_log_by_external_id: same record " + id, o.ms);
  }

  void oauth() {
    if (!declares("oauth")) {
      skip("op.oauth_authorize_url", "oauth not declared");
      skip("op.oauth_exchange_code", "oauth not declared");
      skip("op.oauth_refresh", "oauth not declared");
      return;
    }
    auto url = invoke("oauth_authorize_url",
                      json::object{{"redirect_uri", "http://127.0.0.1/oauth/callback"}, {"state", "check-" + nonce_}});
    if (!url.result)
      fail("op.oauth_authorize_url", describe(url.result.error()), url.ms);
    else if (str(url.result.value(), "url").find("check-" + nonce_) == std::string::npos)
      fail("op.oauth_authorize_url", "the URL does not carry the state: " + str(url.result.value(), "url"), url.ms);
    else
      pass("op.oauth_authorize_url", str(url.result.value(), "url").substr(0, 120), url.ms);
    if (url.result) exchange_code(str(url.result.value(), "url"));

    if (str(context_.at("credentials"), "refresh_token").empty())
      return skip("op.oauth_refresh", "no refresh_token in the connection's credentials (--connection-settings)");
    auto refreshed = invoke("oauth_refresh", json::object{});
    if (!refreshed.result)
      fail("op.oauth_refresh", describe(refreshed.result.error()), refreshed.ms);
    else if (str(refreshed.result.value(), "access_token").empty())
      fail("op.oauth_refresh", "no access_token in the answer", refreshed.ms);
    else
      pass("op.oauth_refresh", "new access token", refreshed.ms);
  }

  // The sandboxes consent on their own: open the authorize URL as a browser would, take the code from
  // the redirect and have the plugin exchange it.
  void exchange_code(const std::string& authorize_url) {
    sdk::HttpRequest request;
    request.url = authorize_url;
    request.timeout_ms = 10000;
    auto page = http_.send(request);
    const std::string location = page ? page->header("location") : std::string();
    const auto at = location.find("code=");
    if (!page || page->status < 300 || page->status > 399 || at == std::string::npos)
      return skip("op.oauth_exchange_code", "the authorize URL did not redirect with a code (" +
                                                (page ? "HTTP " + std::to_string(page->status) : page.error().message) +
                                                "); the CRM needs a person to consent");
    std::string code = location.substr(at + 5);
    code = code.substr(0, code.find('&'));
    std::string decoded;
    for (std::size_t i = 0; i < code.size(); ++i) {
      if (code[i] == '%' && i + 2 < code.size() && std::isxdigit(static_cast<unsigned char>(code[i + 1])) &&
          std::isxdigit(static_cast<unsigned char>(code[i + 2]))) {
        decoded.push_back(static_cast<char>(std::stoi(code.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else {
        decoded.push_back(code[i] == '+' ? ' ' : code[i]);
      }
    }
    auto tokens = invoke("oauth_exchange_code",
                         json::object{{"code", decoded}, {"redirect_uri", "http://127.0.0.1/oauth/callback"}});
    if (!tokens.result)
      fail("op.oauth_exchange_code", describe(tokens.result.error()), tokens.ms);
    else if (str(tokens.result.value(), "access_token").empty())
      fail("op.oauth_exchange_code", "no access_token in the answer", tokens.ms);
    else
      pass("op.oauth_exchange_code", "the code from the authorize redirect gives an access token", tokens.ms);
  }

  // ---- error mapping through injected faults

  // The operation used to provoke CRM errors: a read every connector has.
  std::pair<std::string, json::value> probe() const {
    if (declares("find_contacts")) return {"find_contacts", json::object{{"phone_e164", phone_}}};
    return {"find_log_by_external_id",
            json::object{{"external_id", "plugin-check-" + nonce_ + "-call"}, {"kind", "call"}}};
  }

  void inject(const std::string& check, int status, std::optional<int> retry_after_s,
              const std::function<std::string(const Error&)>& verdict) {
    // A transcript without such a fault (recorded before the check existed, or written by hand) cannot show how
    // the plugin maps it: that is not a pass.
    if (replay_ && replay_->injected(status) == 0)
      return skip(check, "skipped (transcript): it holds no injected " + std::to_string(status) + " to replay");
    json::object fault{{"status", status}, {"count", 1}};
    if (retry_after_s) fault["retry_after_s"] = *retry_after_s;
    if (!knob(json::object{{"fail_next", json::array{fault}}}, check)) return;
    auto [op, request] = probe();
    auto o = invoke(op, request);
    // The fault must have been consumed by the plugin's request, or the check proved nothing.
    auto cfg = control("GET", "/__sandbox/config");
    const json::value knobs = cfg && cfg->ok() ? cfg->json() : json::value();
    if (const auto* o_knobs = knobs.if_object())
      if (const auto* q = o_knobs->if_contains("fail_next"); q && q->is_array() && !q->get_array().empty())
        return fail(check, op + " made no request to the CRM; the injected " + std::to_string(status) +
                               " is still pending (reset the sandbox)");
    if (o.result) return fail(check, "a CRM " + std::to_string(status) + " became a success", o.ms);
    const std::string problem = verdict(o.result.error());
    if (problem.empty())
      pass(check, "HTTP " + std::to_string(status) + " -> " + describe(o.result.error()), o.ms);
    else
      fail(check, problem + "; got " + describe(o.result.error()), o.ms);
  }

  void error_mapping() {
    inject("errors.401", 401, std::nullopt, [](const Error& e) -> std::string {
      return e.code == "auth_expired" && e.retryable ? "" : "expected auth_expired, retryable";
    });
    inject("errors.429", 429, 7, [](const Error& e) -> std::string {
      if (e.code != "rate_limited" || !e.retryable) return "expected rate_limited, retryable";
      if (e.retry_after_ms != 7000) return "expected retry_after_ms 7000 from Retry-After: 7";
      return "";
    });
    inject("errors.5xx", 503, std::nullopt,
           [](const Error& e) -> std::string { return e.retryable ? "" : "expected a retryable error"; });
    if (!declares("create_contact")) return skip("errors.validation", "create_contact not declared");
    auto o = invoke("create_contact", json::object{{"type", "plugin_check_no_such_type"}, {"last_name", "Check"}});
    if (!o.result && o.result.error().code == "validation" && !o.result.error().retryable)
      pass("errors.validation", "an unknown contact type -> " + describe(o.result.error()), o.ms);
    else
      fail("errors.validation",
           o.result ? "created a contact of an undeclared type"
                    : "expected validation, not retryable; got " + describe(o.result.error()),
           o.ms);
  }

  // ---- timeouts, payloads, threads

  void timeout() {
    if (!knob(json::object{{"latency_ms", 2000}}, "timeout")) return;
    auto [op, request] = probe();
    auto o = invoke(op, request, wall_ms() + 500);
    knob(json::object{{"latency_ms", 0}}, "timeout");
    if (o.result) return fail("timeout", "succeeded although the CRM answers after the call's deadline", o.ms);
    const Error& e = o.result.error();
    if (e.code != "timeout" || !e.retryable)
      return fail("timeout", "expected timeout, retryable; got " + describe(e), o.ms);
    if (o.ms > 1500)
      return fail("timeout", "the call outlived its 500 ms deadline: " + std::to_string(o.ms) + " ms", o.ms);
    pass("timeout", "a 500 ms deadline against a 2 s CRM ends in " + std::to_string(o.ms) + " ms: " + e.code, o.ms);
  }

  void large_payload() {
    if (!declares("create_call_log") || (contact_id_.empty() && declares("create_contact")))
      return skip("large_payload", "needs create_call_log and a contact");
    std::string body;
    body.reserve(static_cast<std::size_t>(options_.large_payload_bytes));
    const std::string line = "Note line with some text, digits 0123456789 and \"quotes\" <b>&</b> \xc3\xa9\n";
    while (static_cast<std::int64_t>(body.size() + line.size()) <= options_.large_payload_bytes) body += line;
    const std::string key = "plugin-check-" + nonce_ + "-large";
    auto o = invoke("create_call_log", json::object{{"log", call_log(key, body)}});
    const std::string size = std::to_string(body.size() / 1024) + " KiB";
    if (!o.result) {
      const Error& e = o.result.error();
      // A CRM may cap its text fields; refusing clearly (validation, not retryable) is acceptable.
      if (e.code == "validation" && !e.retryable)
        return pass("large_payload", size + " note refused cleanly: " + e.message.substr(0, 160), o.ms);
      return fail("large_payload", size + " note: " + describe(e), o.ms);
    }
    std::string detail = size + " note accepted as " + str(o.result.value(), "id");
    if (declares("get_log")) {
      auto back = invoke("get_log", json::object{{"id", str(o.result.value(), "id")}, {"kind", "call"}});
      if (!back.result)
        return fail("large_payload", detail + "; get_log failed: " + describe(back.result.error()), o.ms);
      detail += "; get_log returns " + std::to_string(str(back.result.value(), "body").size() / 1024) + " KiB";
    }
    pass("large_payload", detail, o.ms);
  }

  // As the host does: a rate-limited answer is waited out (retry_after_ms, at most 10 s) and the call
  // retried with jitter (as the host's backoff has), up to 10 attempts. CRMs limit bursts (HubSpot's search allows 5
  // requests a second), and a correct plugin says so instead of failing; what this check looks for is wrong or mixed-up
  // answers.
  Outcome invoke_patiently(std::string_view op, const json::value& request, std::atomic<int>& waits) const {
    Outcome o = invoke(op, request);
    for (int attempt = 1; attempt < 10 && !o.result && o.result.error().retryable &&
                          (o.result.error().code == "rate_limited" || o.result.error().code == "quota_exhausted");
         ++attempt) {
      ++waits;
      const auto wait = std::min<std::int64_t>(o.result.error().retry_after_ms.value_or(1000), 10000);
      thread_local std::mt19937 rng{std::random_device{}()};
      const auto jitter = std::uniform_int_distribution<std::int64_t>(0, std::max<std::int64_t>(wait, 100))(rng);
      std::this_thread::sleep_for(std::chrono::milliseconds(std::max<std::int64_t>(wait, 100) + jitter));
      o = invoke(op, request);
    }
    return o;
  }

  void concurrency() {
    if (!declares("create_call_log") || !declares("find_log_by_external_id"))
      return skip("concurrency", "needs create_call_log and find_log_by_external_id");
    constexpr int kPerThread = 3;
    std::mutex mutex;
    std::vector<std::string> problems;
    std::set<std::string> ids;
    std::atomic<int> calls{0}, waits{0};
    const auto start = wall_ms();
    std::vector<std::thread> threads;
    for (int t = 0; t < threads_; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const std::string key = "plugin-check-" + nonce_ + "-t" + std::to_string(t) + "-" + std::to_string(i);
          auto created = invoke_patiently("create_call_log",
                                          json::object{{"log", call_log(key, "Concurrent call " + key)}}, waits);
          auto found =
              invoke_patiently("find_log_by_external_id", json::object{{"external_id", key}, {"kind", "call"}}, waits);
          auto contacts = declares("find_contacts")
                              ? invoke_patiently("find_contacts", json::object{{"phone_e164", phone_}}, waits)
                              : Outcome{json::value(json::object{{"contacts", json::array{}}}), 0};
          calls += declares("find_contacts") ? 3 : 2;
          std::lock_guard lock(mutex);
          if (!contacts.result) {
            problems.push_back(key + " find_contacts: " + describe(contacts.result.error()));
          } else if (!created.result) {
            problems.push_back(key + " create: " + describe(created.result.error()));
          } else if (!found.result) {
            problems.push_back(key + " find_log_by_external_id: " + describe(found.result.error()));
          } else if (found.result.value().at("found") != true ||
                     str(found.result.value().at("record"), "id") != str(created.result.value(), "id")) {
            problems.push_back(key + ": find_log_by_external_id does not return the created record");
          } else if (!ids.insert(str(created.result.value(), "id")).second) {
            problems.push_back(key + ": record id " + str(created.result.value(), "id") + " returned twice");
          }
        }
      });
    for (auto& t : threads) t.join();
    const auto ms = wall_ms() - start;
    if (!problems.empty())
      return fail("concurrency",
                  std::to_string(problems.size()) + " problem(s) from " + std::to_string(threads_) +
                      " threads; first: " + problems.front(),
                  ms);
    pass("concurrency",
         std::to_string(threads_) + " threads, " + std::to_string(calls.load()) + " calls, " +
             std::to_string(ids.size()) + " distinct records" +
             (waits.load() > 0 ? ", " + std::to_string(waits.load()) + " rate-limited answer(s) waited out" : ""),
         ms);
  }

  const Options& options_;
  Report& report_;
  httpclient::HttpClient http_;
  std::shared_ptr<plugins::HostServices> services_;
  std::unique_ptr<plugins::PluginRegistry> registry_;
  const LoadedPlugin* plugin_ = nullptr;
  json::object context_;
  // control_url_: the /__sandbox control API; crm_url_: where the plugin's settings point. Both are the sandbox,
  // except that a recording puts its proxy in crm_url_ and a replay its server in both.
  std::string control_url_ = options_.sandbox_url, crm_url_ = options_.sandbox_url;
  std::unique_ptr<RecordingProxy> recorder_;
  std::unique_ptr<ReplayServer> replay_;
  std::optional<std::int64_t> clock_ms_;
  int threads_ = 8;
  std::string nonce_, phone_, owner_id_, contact_id_, contact_type_, call_id_;
  std::int64_t last_ms_ = 0;
};

const char* status_word(Status s) {
  switch (s) {
    case Status::kPass:
      return "PASS";
    case Status::kFail:
      return "FAIL";
    case Status::kSkip:
      return "SKIP";
  }
  return "?";
}

} // namespace

Report run_checks(const Options& options) {
  Report report;
  Runner(options, report).run();
  return report;
}

std::string render_text(const Options& options, const Report& report) {
  std::ostringstream out;
  out << "appconnect-plugin-check: " << options.plugin.string();
  if (!report.plugin_id.empty())
    out << " (" << report.plugin_id << " " << report.plugin_version << ", ABI " << report.abi_major << "."
        << report.abi_minor << ")";
  if (!options.transcript_file.empty())
    out << " replaying " << options.transcript_file.string();
  else if (!options.sandbox_url.empty())
    out << " against " << options.sandbox_url;
  if (!options.record_file.empty()) out << ", recording to " << options.record_file.string();
  if (options.isolated) out << ", isolated (appconnect-plugin-worker)";
  out << "\n";
  for (const auto& c : report.checks) {
    out << "  " << status_word(c.status) << "  " << c.name;
    for (std::size_t i = c.name.size(); i < 26; ++i) out << ' ';
    out << c.detail;
    if (c.elapsed_ms > 0) out << " [" << c.elapsed_ms << " ms]";
    out << "\n";
  }
  out << "result: " << (report.ok() ? "PASS" : "FAIL") << ", " << report.count(Status::kPass) << " passed, "
      << report.count(Status::kFail) << " failed, " << report.count(Status::kSkip) << " skipped\n";
  return out.str();
}

json::object render_json(const Options& options, const Report& report) {
  json::array checks;
  for (const auto& c : report.checks) {
    std::string s = status_word(c.status);
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    checks.push_back(json::object{{"name", c.name}, {"status", s}, {"detail", c.detail}, {"elapsed_ms", c.elapsed_ms}});
  }
  return json::object{{"file", options.plugin.string()},
                      {"plugin", report.plugin_id},
                      {"version", report.plugin_version},
                      {"abi", json::object{{"major", report.abi_major}, {"minor", report.abi_minor}}},
                      {"sandbox", options.sandbox_url},
                      {"transcript", options.transcript_file.string()},
                      {"record", options.record_file.string()},
                      {"mode", options.isolated ? "isolated" : "in_process"},
                      {"sandbox_crm", report.sandbox_crm},
                      {"ok", report.ok()},
                      {"passed", report.count(Status::kPass)},
                      {"failed", report.count(Status::kFail)},
                      {"skipped", report.count(Status::kSkip)},
                      {"checks", std::move(checks)}};
}

} // namespace appconnect::plugin_check
