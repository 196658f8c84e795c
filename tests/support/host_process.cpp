#include "support/host_process.hpp"

#include "support/paths.hpp"

#include "security/crypto.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

namespace appconnect::testing {

HostProcess::HostProcess(boost::json::object config, std::vector<std::string> extra_args) : dir_("appconnect-host") {
  if (!config.contains("data_dir")) config["data_dir"] = dir_.file("data").string();
  if (!config.contains("plugin_dirs")) config["plugin_dirs"] = boost::json::array{APPCONNECT_PLUGIN_DIR};
  if (!config.contains("admin_token")) config["admin_token"] = "test-admin-token";
  // A host with connection credentials refuses to start without a secrets key. Every test host gets
  // the same fixed key, so several hosts sharing one database (chaos, scale-out tests) can all read
  // what the others sealed.
  if (!config.contains("secrets_key_file")) {
    std::ofstream(dir_.file("secrets.key")) << security::base64_encode("appconnect-test-secrets-key-0001") << "\n";
    std::filesystem::permissions(dir_.file("secrets.key"),
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    config["secrets_key_file"] = dir_.file("secrets.key").string();
  }
  admin_token_ = std::string(config["admin_token"].as_string());
  std::ofstream(dir_.file("appconnect.json")) << boost::json::serialize(config);
  std::vector<std::string> args{"serve", "--config", dir_.file("appconnect.json").string(), "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  process_.start(bin_path("appconnect"), args, {}, dir_.file("host.log").string());
  auto line = process_.wait_for_line(std::regex("listening on (https?://\\S+)"), std::chrono::seconds(30));
  if (!line) throw std::runtime_error("the host did not start: " + process_.describe());
  std::smatch m;
  std::regex_search(*line, m, std::regex("(https?://\\S+)"));
  base_url_ = m[1];
}

HostProcess::~HostProcess() {
  process_.stop();
}

HttpResult HostProcess::post_event(const boost::json::value& event) const {
  return http("POST", base_url_ + "/v1/events", boost::json::serialize(event));
}

boost::json::value HostProcess::wait_settled(const std::string& event_id, const std::string& tenant,
                                             std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  boost::json::value last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = http("GET", base_url_ + "/v1/events/" + event_id + "?tenant=" + tenant);
    if (r.status == 200) {
      last = r.json();
      bool settled = !last.at("jobs").as_array().empty();
      for (const auto& j : last.at("jobs").as_array()) {
        const auto& state = j.at("state").as_string();
        settled = settled && state != "pending" && state != "running";
      }
      if (settled) return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "event " << event_id << " did not settle: " << boost::json::serialize(last) << "\n"
                << const_cast<ChildProcess&>(process_).describe();
  return last;
}

HttpResult HostProcess::admin(std::string_view method, const std::string& path, const boost::json::value& body) const {
  return http(method, base_url_ + path, body.is_null() ? std::string() : boost::json::serialize(body),
              {{"Authorization", "Bearer " + admin_token_}});
}

boost::json::object salesforce_connection(const std::string& id, const std::string& tenant,
                                          const std::string& sandbox_url, boost::json::object settings) {
  settings["login_url"] = sandbox_url;
  return boost::json::object{{"id", id},
                             {"tenant", tenant},
                             {"connector", "salesforce"},
                             {"settings", std::move(settings)},
                             {"credentials", boost::json::object{{"client_id", "appconnect-demo"},
                                                                 {"client_secret", "demo-secret"},
                                                                 {"refresh_token", "demo-refresh-token"}}}};
}

boost::json::value call_event(const std::string& id, const std::string& session, const std::string& phone,
                              const std::string& tenant) {
  auto doc = boost::json::parse(R"({"kind":"call","direction":"inbound","start_time":"2026-11-25T10:30:00+01:00",
    "to":{"phone":"+16505550100"},"agent":{"extension_id":"101","email":"maria.garcia@acme-demo.example"},
    "call":{"state":"ended","duration_s":95,"result":"answered","recording_url":"https://rec.example/1.mp3",
            "notes":"Asked about the renewal."}})");
  auto& o = doc.as_object();
  o["id"] = id;
  o["tenant"] = tenant;
  o["from"] = boost::json::object{{"phone", phone}};
  o["call"].as_object()["session_id"] = session;
  return doc;
}

} // namespace appconnect::testing
