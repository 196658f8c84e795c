#include "ringcentral/backfill.hpp"

#include "httpclient/http_client.hpp"
#include "ringcentral/mapping.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace appconnect::ringcentral {
namespace json = boost::json;
namespace {

std::string record_label(const json::value& record, std::size_t index) {
  if (record.is_object())
    if (const auto* id = record.get_object().if_contains("id"); id != nullptr && id->is_string())
      return std::string(id->get_string());
  return "#" + std::to_string(index + 1);
}

// The host's error message, when its answer is the usual {"error":{"message"}}.
std::string error_text(const sdk::HttpResponse& r) {
  boost::system::error_code ec;
  auto doc = json::parse(r.body, ec);
  if (!ec && doc.is_object())
    if (const auto* e = doc.get_object().if_contains("error"); e != nullptr && e->is_object())
      if (const auto* m = e->get_object().if_contains("message"); m != nullptr && m->is_string())
        return std::string(m->get_string());
  return r.body.substr(0, 200);
}

} // namespace

Result<BackfillReport> run_backfill(const BackfillOptions& opt, std::ostream& progress) {
  std::ifstream in(opt.file, std::ios::binary);
  if (!in) return Error::make(error_code::kNotFound, "cannot read " + opt.file.string(), false);
  std::ostringstream text;
  text << in.rdbuf();
  auto records = call_log_records(text.str());
  if (!records) return Error::make(records.error().code, opt.file.string() + ": " + records.error().message, false);

  const auto& all = records.value();
  BackfillReport report;
  report.total = static_cast<std::int64_t>(all.size());
  std::vector<std::string> failure_of(all.size());
  MapOptions map_options;
  map_options.tenant = opt.tenant;

  httpclient::HttpClientOptions client_options;
  client_options.max_idle_per_origin = static_cast<std::size_t>(std::max(1, opt.concurrency));
  httpclient::HttpClient client(client_options);
  std::atomic<std::size_t> next{0};
  std::atomic<std::int64_t> done{0}, sent{0}, accepted{0}, duplicate{0};
  std::mutex out_mutex;

  auto print_progress = [&](std::int64_t finished) {
    std::lock_guard<std::mutex> lock(out_mutex);
    progress << "backfill: " << finished << "/" << report.total << " sent, " << accepted.load() << " new, "
             << duplicate.load() << " duplicate";
    if (const auto failed = finished - sent.load(); failed > 0) progress << ", " << failed << " failed";
    progress << "\n" << std::flush;
  };

  auto post_one = [&](std::size_t i) -> std::string { // empty = sent
    auto event = map_call_log_record(all[i], map_options);
    if (!event) return event.error().message;
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = opt.url + "/v1/events";
    request.headers = {{"Content-Type", "application/json"}};
    if (!opt.token.empty()) request.headers["Authorization"] = "Bearer " + opt.token;
    request.body = json::serialize(event.value());
    std::string why;
    for (int attempt = 1; attempt <= std::max(1, opt.attempts); ++attempt) {
      if (attempt > 1) std::this_thread::sleep_for(std::chrono::milliseconds(200 * (attempt - 1)));
      auto response = client.send(request);
      if (!response) {
        why = response.error().message;
        continue; // transport trouble: try again
      }
      const auto& r = response.value();
      if (r.status == 202 || r.status == 200) {
        (r.status == 202 ? accepted : duplicate) += 1;
        return {};
      }
      why = "HTTP " + std::to_string(r.status) + ": " + error_text(r);
      if (r.status < 500 && r.status != 429) break; // the host refused this event: retrying will not help
    }
    return why;
  };

  auto worker = [&] {
    for (std::size_t i = next++; i < all.size(); i = next++) {
      auto why = post_one(i);
      if (why.empty())
        ++sent;
      else
        failure_of[i] = "record " + record_label(all[i], i) + ": " + why;
      const auto finished = ++done;
      if (opt.progress_every > 0 && finished % opt.progress_every == 0 && finished < report.total)
        print_progress(finished);
    }
  };
  std::vector<std::thread> threads;
  const int n = std::max(1, std::min<int>(opt.concurrency, static_cast<int>(std::max<std::size_t>(1, all.size()))));
  for (int t = 0; t < n; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();

  report.sent = sent.load();
  report.accepted = accepted.load();
  report.duplicate = duplicate.load();
  for (auto& f : failure_of)
    if (!f.empty()) report.failures.push_back(std::move(f));
  print_progress(report.total);
  return report;
}

} // namespace appconnect::ringcentral
