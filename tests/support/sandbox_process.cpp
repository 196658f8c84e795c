#include "support/sandbox_process.hpp"

#include "support/paths.hpp"

#include <regex>
#include <stdexcept>

namespace appconnect::testing {

SandboxProcess::SandboxProcess(SandboxOptions options) : dir_("appconnect-sandbox") {
  std::vector<std::string> args{
      "--crm", options.crm, "--listen", "127.0.0.1:0", "--port-file", dir_.file("port").string(), "--exit-with-parent"};
  std::string seed = options.seed;
  if (seed.empty()) seed = source_path("tools/crm-sandbox/seeds/" + options.crm + "-demo.json");
  if (seed != "none") {
    args.push_back("--seed");
    args.push_back(seed);
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());

  process_.start(bin_path("appconnect-crm-sandbox"), args, {}, dir_.file("sandbox.stderr.log").string());
  const auto line =
      process_.wait_for_line(std::regex(R"(^listening on (http://[^\s]+:(\d+))$)"), options.startup_timeout);
  if (!line) {
    process_.stop(std::chrono::seconds(2));
    throw std::runtime_error("crm sandbox did not start: " + process_.describe());
  }
  std::smatch m;
  std::regex_search(*line, m, std::regex(R"(^listening on (http://[^\s]+:(\d+))$)"));
  base_url_ = m[1].str();
  port_ = std::stoi(m[2].str());
}

SandboxProcess::~SandboxProcess() {
  stop();
}

std::optional<int> SandboxProcess::stop() {
  return process_.stop(std::chrono::seconds(5));
}

HttpResult SandboxProcess::request(std::string_view method, const std::string& path, const std::string& body,
                                   const std::map<std::string, std::string>& headers) const {
  return http(method, url(path), body, headers);
}

namespace {
boost::json::value checked(const HttpResult& r, std::string_view method, const std::string& path) {
  if (r.status < 200 || r.status >= 300)
    throw std::runtime_error(std::string(method) + " " + path + " -> HTTP " + std::to_string(r.status) + ": " +
                             r.body.substr(0, 1000));
  return r.body.empty() ? boost::json::value(nullptr) : r.json();
}
} // namespace

boost::json::value SandboxProcess::get_json(const std::string& path) const {
  return checked(request("GET", path), "GET", path);
}

boost::json::value SandboxProcess::post_json(const std::string& path, const boost::json::value& body) const {
  return checked(request("POST", path, boost::json::serialize(body)), "POST", path);
}

boost::json::array SandboxProcess::records(const std::string& object) const {
  return get_json("/__sandbox/records/" + object).as_object().at("records").as_array();
}

std::string SandboxProcess::seed_record(const std::string& object, const boost::json::object& fields) const {
  return std::string(post_json("/__sandbox/records/" + object, fields).as_object().at("id").as_string());
}

boost::json::object SandboxProcess::configure(const boost::json::object& knobs) const {
  return post_json("/__sandbox/config", knobs).as_object();
}

void SandboxProcess::reset() const {
  post_json("/__sandbox/reset");
}

void SandboxProcess::expire_tokens() const {
  post_json("/__sandbox/expire-tokens");
}

boost::json::array SandboxProcess::requests(std::uint64_t since) const {
  return get_json("/__sandbox/requests?since=" + std::to_string(since)).as_object().at("requests").as_array();
}

void SandboxProcess::clear_requests() const {
  checked(request("DELETE", "/__sandbox/requests"), "DELETE", "/__sandbox/requests");
}

std::string SandboxProcess::access_token(const std::string& user) const {
  boost::json::object body;
  if (!user.empty()) body["user"] = user;
  return std::string(post_json("/__sandbox/issue-token", body).as_object().at("access_token").as_string());
}

} // namespace appconnect::testing
