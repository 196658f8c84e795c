// appconnect-load: drives a running host (and the CRM sandbox) from outside and prints one line of
// `key=value` results that bench/run collects. Loopback only; every run is bounded by a count and a time.
//
//   ingest     POST native events with N keep-alive clients: durable accepts/s, p50/p99 latency.
//   e2e        POST call events as fast as the clients go and wait until the sandbox holds a Task for each:
//              calls logged/s, host (and sandbox) CPU per call.
//   latency    the same at a fixed offered rate: p50/p99 from the POST to the Task's CreatedDate.
//   floor      the CRM requests of one call log made directly against the sandbox, no host: calls/s.
//   seed       store contacts with distinct numbers in the sandbox, for the calls to match.
//   coldstart  exec a host command, poll /healthz until 200: milliseconds to ready.
//   export     write a RingCentral call-log export (JSON Lines of pages) for `appconnect backfill`.
//   drain      watch the sandbox's Task count for a while: calls logged/s while a backlog drains.
#include "http_session.hpp"

#include <appconnect/time.hpp>

#include <boost/json.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using appconnect::bench::HttpReply;
using appconnect::bench::HttpSession;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage = R"(Usage: appconnect-load <mode> [--option value]...

  ingest    --url HOST [--clients 16] [--count N] [--seconds S] [--prefix P] [--phones K] [--tenant T]
  e2e       --url HOST --sandbox SB [--clients 16] [--count N] [--seconds S] [--prefix P] [--phones K]
            [--host-pid PID] [--sandbox-pid PID]
  latency   --url HOST --sandbox SB --rate R [--seconds S] [--clients 16] [--prefix P] [--phones K]
  floor     --sandbox SB [--clients 16] [--count N] [--seconds S] [--phones K] [--with-query 1]
  seed      --sandbox SB [--phones K] [--reset 1]
  coldstart --url HOST [--runs 5] -- COMMAND ARGS...
  export    --out FILE [--count 100000] [--phones K] [--prefix P]
  drain     --sandbox SB [--seconds S] [--count N] [--host-pid PID]

Every line of results is `key=value ...` on stdout; errors go to stderr (exit 1), bad usage exits 2.
)";

struct Options {
  std::map<std::string, std::string> values;
  std::vector<std::string> command; // after "--"

  std::string str(const std::string& k, const std::string& fallback = {}) const {
    auto it = values.find(k);
    return it == values.end() ? fallback : it->second;
  }
  long long num(const std::string& k, long long fallback) const {
    auto it = values.find(k);
    if (it == values.end()) return fallback;
    try {
      return std::stoll(it->second);
    } catch (...) {
      throw std::invalid_argument("--" + k + " must be a number");
    }
  }
  double real(const std::string& k, double fallback) const {
    auto it = values.find(k);
    if (it == values.end()) return fallback;
    try {
      return std::stod(it->second);
    } catch (...) {
      throw std::invalid_argument("--" + k + " must be a number");
    }
  }
  std::string need(const std::string& k) const {
    auto it = values.find(k);
    if (it == values.end() || it->second.empty()) throw std::invalid_argument("--" + k + " is required");
    return it->second;
  }
};

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(index, v.size() - 1)];
}

std::string fixed(double v, int decimals = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Contact number k: (312) 200-0000 + k. Distinct from the demo seed's 555 numbers and valid for
// libphonenumber, so every call matches exactly one seeded contact.
std::string national_digits(long long k) {
  return "312" + std::to_string(2000000 + k % 8000000);
}
std::string display_phone(long long k) {
  const std::string d = national_digits(k);
  return "(" + d.substr(0, 3) + ") " + d.substr(3, 3) + "-" + d.substr(6);
}

std::string event_json(const std::string& prefix, long long i, long long phones, const std::string& tenant) {
  const std::string n = std::to_string(i);
  boost::json::object e{
      {"id", prefix + "-e" + n},
      {"tenant", tenant},
      {"kind", "call"},
      {"direction", "inbound"},
      {"start_time", appconnect::sdk::time::format_iso8601_utc(wall_ms())},
      {"from", boost::json::object{{"phone", "+1 " + display_phone(i % std::max(1LL, phones))}}},
      {"to", boost::json::object{{"phone", "+16505550100"}}},
      {"agent", boost::json::object{{"extension_id", "101"}, {"email", "maria.garcia@acme-demo.example"}}},
      {"call", boost::json::object{{"session_id", prefix + "-s" + n},
                                   {"state", "ended"},
                                   {"duration_s", 60 + i % 240},
                                   {"result", "answered"},
                                   {"notes", "load test call " + n}}}};
  return boost::json::serialize(e);
}

// The conversation key the host gives such an event (ingest::conversation_key): the Task's CallObject.
std::string call_object(const std::string& prefix, long long i) {
  return "call:" + prefix + "-s" + std::to_string(i) + ":101";
}

// utime + stime of a process, in microseconds (clock-tick resolution).
long long cpu_us(long long pid) {
  if (pid <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  long long utime = 0, stime = 0;
  // After the command name: state is field 3; utime and stime are fields 14 and 15.
  for (int n = 3; n <= 15 && (fields >> f); ++n) {
    if (n == 14) utime = std::stoll(f);
    if (n == 15) stime = std::stoll(f);
  }
  return (utime + stime) * 1000000LL / sysconf(_SC_CLK_TCK);
}

// Runs `clients` threads, each with its own keep-alive session, calling `work(session, i)` for
// i = 0, 1, ... (shared counter) until `count` or the deadline. `pace` > 0 spaces the starts at that rate.
void run_clients(const std::string& base_url, int clients, long long count, double seconds, double pace,
                 const std::function<void(HttpSession&, long long)>& work) {
  std::atomic<long long> next{0};
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t)
    threads.emplace_back([&] {
      HttpSession session(base_url);
      for (;;) {
        const long long i = next++;
        if (i >= count) return;
        if (pace > 0) {
          const auto due = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(i / pace));
          if (due > deadline) return;
          std::this_thread::sleep_until(due);
        } else if (Clock::now() > deadline) {
          return;
        }
        work(session, i);
      }
    });
  for (auto& t : threads) t.join();
}

boost::json::value json_of(const HttpReply& r, const std::string& what) {
  if (r.status != 200) throw std::runtime_error(what + ": HTTP " + std::to_string(r.status) + " " + r.error + r.body);
  return boost::json::parse(r.body);
}

long long task_count(HttpSession& sandbox) {
  const auto doc = json_of(sandbox.request("GET", "/__sandbox/records"), "sandbox record counts");
  const auto* n = doc.at("objects").as_object().if_contains("Task");
  return n ? n->to_number<long long>() : 0;
}

// ------------------------------------------------------------------------------------------------ ingest

int ingest(const Options& o) {
  const std::string url = o.need("url"), prefix = o.str("prefix", "ing" + std::to_string(wall_ms()));
  const std::string tenant = o.str("tenant", "default");
  const int clients = static_cast<int>(o.num("clients", 16));
  const long long count = o.num("count", 20000), phones = o.num("phones", 200);
  const double seconds = o.real("seconds", 10);
  std::mutex mutex;
  std::vector<double> latencies;
  latencies.reserve(static_cast<std::size_t>(std::min(count, 2000000LL)));
  std::atomic<long long> accepted{0}, duplicates{0}, errors{0};
  std::string first_error;
  const auto start = Clock::now();
  run_clients(url, clients, count, seconds, 0, [&](HttpSession& s, long long i) {
    const std::string body = event_json(prefix, i, phones, tenant);
    const auto t0 = Clock::now();
    const auto r = s.request("POST", "/v1/events", body);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (r.status == 202) {
      ++accepted;
    } else if (r.status == 200) {
      ++duplicates;
    } else {
      ++errors;
    }
    std::lock_guard lock(mutex);
    latencies.push_back(ms);
    if (r.status != 202 && r.status != 200 && first_error.empty())
      first_error = std::to_string(r.status) + " " + r.error + r.body.substr(0, 300);
  });
  const double elapsed = seconds_since(start);
  if (!first_error.empty()) std::cerr << "appconnect-load: first failed request: " << first_error << "\n";
  std::cout << "mode=ingest accepted=" << accepted << " duplicates=" << duplicates << " errors=" << errors
            << " seconds=" << fixed(elapsed, 3) << " rate=" << fixed(static_cast<double>(accepted) / elapsed, 1)
            << " p50_ms=" << fixed(percentile(latencies, 0.50), 3)
            << " p99_ms=" << fixed(percentile(latencies, 0.99), 3) << "\n";
  return errors > 0 && accepted == 0 ? 1 : 0;
}

// ------------------------------------------------------------------------------------- e2e and latency

// Sends call events (as fast as possible, or paced at `rate`), waits until the sandbox has a Task for
// each accepted one, and reports throughput and receipt -> record latency.
int calls(const Options& o, bool paced) {
  const std::string url = o.need("url"), sandbox_url = o.need("sandbox");
  const std::string prefix = o.str("prefix", "e2e" + std::to_string(wall_ms()));
  const int clients = static_cast<int>(o.num("clients", 16));
  const long long phones = o.num("phones", 200);
  const double rate = paced ? o.real("rate", 0) : 0;
  if (paced && rate <= 0) throw std::invalid_argument("--rate must be above 0");
  const double seconds = o.real("seconds", paced ? 5 : 60);
  const long long count = paced ? static_cast<long long>(rate * seconds) : o.num("count", 2000);
  const long long host_pid = o.num("host-pid", 0), sandbox_pid = o.num("sandbox-pid", 0);
  // How long to wait for the backlog to drain after the last event was sent.
  const double drain_s = o.real("drain-seconds", 120);

  HttpSession sandbox(sandbox_url);
  const long long base = task_count(sandbox);
  std::vector<std::int64_t> sent_ms(static_cast<std::size_t>(count), 0);
  std::atomic<long long> accepted{0}, errors{0};
  std::string first_error;
  std::mutex mutex;
  const long long host_cpu0 = cpu_us(host_pid), sandbox_cpu0 = cpu_us(sandbox_pid);
  const std::int64_t start_ms = wall_ms();
  const auto start = Clock::now();
  run_clients(url, clients, count, paced ? seconds + 1 : seconds, rate, [&](HttpSession& s, long long i) {
    const std::string body = event_json(prefix, i, phones, "default");
    sent_ms[static_cast<std::size_t>(i)] = wall_ms();
    const auto r = s.request("POST", "/v1/events", body);
    if (r.status == 202) {
      ++accepted;
      return;
    }
    ++errors;
    sent_ms[static_cast<std::size_t>(i)] = 0;
    std::lock_guard lock(mutex);
    if (first_error.empty()) first_error = std::to_string(r.status) + " " + r.error + r.body.substr(0, 300);
  });
  const double send_s = seconds_since(start);
  if (!first_error.empty()) std::cerr << "appconnect-load: first failed POST: " << first_error << "\n";

  // Wait for the Tasks (cheap count polling), then read them once.
  long long have = 0;
  const auto drain_deadline = Clock::now() + std::chrono::milliseconds(static_cast<long long>(drain_s * 1000));
  for (;;) {
    have = task_count(sandbox) - base;
    if (have >= accepted || Clock::now() > drain_deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double done_s = seconds_since(start);
  const long long host_cpu1 = cpu_us(host_pid), sandbox_cpu1 = cpu_us(sandbox_pid);

  const auto doc = json_of(sandbox.request("GET", "/__sandbox/records/Task"), "sandbox Tasks");
  std::map<std::string, long long> index_of;
  for (long long i = 0; i < count; ++i)
    if (sent_ms[static_cast<std::size_t>(i)] != 0) index_of[call_object(prefix, i)] = i;
  std::vector<double> latencies;
  std::int64_t last_created = start_ms;
  long long logged = 0, doubles = 0;
  std::map<long long, int> seen;
  for (const auto& r : doc.at("records").as_array()) {
    const auto& rec = r.as_object();
    const auto* co = rec.if_contains("CallObject");
    const auto* created = rec.if_contains("CreatedDate");
    if (co == nullptr || !co->is_string() || created == nullptr || !created->is_string()) continue;
    auto it = index_of.find(std::string(co->get_string()));
    if (it == index_of.end()) continue;
    if (++seen[it->second] > 1) {
      ++doubles; // two Tasks for one call: the host wrote a conversation twice
      continue;
    }
    const auto ms = appconnect::sdk::time::parse_iso8601_ms(std::string(created->get_string()));
    if (!ms) continue;
    ++logged;
    last_created = std::max(last_created, *ms);
    latencies.push_back(static_cast<double>(*ms - sent_ms[static_cast<std::size_t>(it->second)]));
  }
  const double span_s = std::max(0.001, static_cast<double>(last_created - start_ms) / 1000.0);
  std::cout << "mode=" << (paced ? "latency" : "e2e") << " sent=" << accepted << " errors=" << errors
            << " logged=" << logged << " double_logged=" << doubles << " send_seconds=" << fixed(send_s, 3)
            << " seconds=" << fixed(span_s, 3) << " rate=" << fixed(static_cast<double>(logged) / span_s, 1)
            << " offered_rate=" << fixed(static_cast<double>(accepted) / send_s, 1)
            << " p50_ms=" << fixed(percentile(latencies, 0.50), 1)
            << " p99_ms=" << fixed(percentile(latencies, 0.99), 1);
  if (host_pid > 0 && logged > 0)
    std::cout << " host_cpu_us_per_call="
              << fixed(static_cast<double>(host_cpu1 - host_cpu0) / static_cast<double>(logged), 1);
  if (sandbox_pid > 0 && logged > 0)
    std::cout << " sandbox_cpu_us_per_call="
              << fixed(static_cast<double>(sandbox_cpu1 - sandbox_cpu0) / static_cast<double>(logged), 1);
  std::cout << " wait_seconds=" << fixed(done_s, 3) << "\n";
  if (logged < accepted) {
    std::cerr << "appconnect-load: only " << logged << " of " << accepted << " calls reached the CRM within " << drain_s
              << " s of draining\n";
    // Show what the host says about one call that has no Task, to make the failure actionable.
    for (long long i = 0; i < count; ++i) {
      if (sent_ms[static_cast<std::size_t>(i)] == 0 || seen.count(i)) continue;
      HttpSession host(url);
      std::cerr << "  e.g. " << prefix << "-e" << i << ": "
                << host.request("GET", "/v1/events/" + prefix + "-e" + std::to_string(i)).body.substr(0, 600) << "\n";
      break;
    }
    return 1;
  }
  return 0;
}

// ------------------------------------------------------------------------------------------------- floor

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

// What the Salesforce connector sends for one logged call, made directly: (the external-id query,)
// the SOSL phone search and the Task create. Same API version, query text and Task fields.
int floor_mode(const Options& o) {
  const std::string sandbox_url = o.need("sandbox"), prefix = o.str("prefix", "flr" + std::to_string(wall_ms()));
  const int clients = static_cast<int>(o.num("clients", 16));
  const long long count = o.num("count", 2000), phones = o.num("phones", 200);
  const double seconds = o.real("seconds", 60);
  const bool with_query = o.num("with-query", 0) != 0;
  HttpSession control(sandbox_url);
  const auto token_doc = json_of(control.request("POST", "/__sandbox/issue-token", "{}"), "issue-token");
  const std::string auth = "Bearer " + std::string(token_doc.at("access_token").as_string());
  const std::vector<std::pair<std::string, std::string>> headers{{"Authorization", auth}};
  const std::string api = "/services/data/v62.0";
  std::mutex mutex;
  std::vector<double> latencies;
  std::atomic<long long> done{0}, errors{0};
  std::string first_error;
  const auto start = Clock::now();
  run_clients(sandbox_url, clients, count, seconds, 0, [&](HttpSession& s, long long i) {
    const auto t0 = Clock::now();
    bool ok = true;
    std::string failure;
    auto check = [&](const HttpReply& r, const char* what) {
      if (r.status >= 200 && r.status < 300) return;
      ok = false;
      if (failure.empty()) failure = std::string(what) + ": " + std::to_string(r.status) + " " + r.error + r.body;
    };
    if (with_query) {
      const std::string soql = "SELECT Id FROM Task WHERE CallObject = '" + call_object(prefix, i) + "' LIMIT 1";
      check(s.request("GET", api + "/query/?q=" + url_encode(soql), {}, headers), "query");
    }
    const std::string sosl = "FIND {" + national_digits(i % std::max(1LL, phones)) +
                             "} IN PHONE FIELDS RETURNING Contact(Id, Name, Phone, MobilePhone, Email, OwnerId, "
                             "CreatedDate, LastModifiedDate), Lead(Id, Name, Company, Phone, MobilePhone, Email, "
                             "OwnerId, CreatedDate, LastModifiedDate WHERE IsConverted = false) LIMIT 20";
    const auto found = s.request("GET", api + "/search/?q=" + url_encode(sosl), {}, headers);
    check(found, "search");
    std::string who;
    if (found.status == 200) {
      const auto doc = boost::json::parse(found.body);
      const auto& list = doc.at("searchRecords").as_array();
      if (!list.empty()) who = std::string(list.front().at("Id").as_string());
    }
    boost::json::object task{{"Subject", "Inbound call"},
                             {"CallType", "Inbound"},
                             {"CallDurationInSeconds", 60 + i % 240},
                             {"CallObject", call_object(prefix, i)},
                             {"ActivityDate", appconnect::sdk::time::format_iso8601_utc(wall_ms()).substr(0, 10)},
                             {"Status", "Completed"},
                             {"Description", "Inbound call, answered.\nload test call " + std::to_string(i) + "\n"},
                             {"CallDisposition", "Answered"},
                             {"TaskSubtype", "Call"}};
    if (!who.empty()) task["WhoId"] = who;
    check(s.request("POST", api + "/sobjects/Task/", boost::json::serialize(task), headers), "create");
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    std::lock_guard lock(mutex);
    if (ok) {
      ++done;
      latencies.push_back(ms);
    } else {
      ++errors;
      if (first_error.empty()) first_error = failure.substr(0, 400);
    }
  });
  const double elapsed = seconds_since(start);
  if (!first_error.empty()) std::cerr << "appconnect-load: first failed call: " << first_error << "\n";
  std::cout << "mode=floor requests_per_call=" << (with_query ? 3 : 2) << " calls=" << done << " errors=" << errors
            << " seconds=" << fixed(elapsed, 3) << " rate=" << fixed(static_cast<double>(done) / elapsed, 1)
            << " p50_ms=" << fixed(percentile(latencies, 0.50), 2)
            << " p99_ms=" << fixed(percentile(latencies, 0.99), 2) << "\n";
  return errors > 0 && done == 0 ? 1 : 0;
}

// -------------------------------------------------------------------------------------------------- seed

int seed(const Options& o) {
  const std::string sandbox_url = o.need("sandbox");
  const long long phones = o.num("phones", 200);
  if (o.num("reset", 0) != 0) {
    // Back to the seed: the sandbox scans records linearly, so runs that start from the same record
    // count are comparable. Access tokens become invalid; the host refreshes them (one extra request).
    HttpSession control(sandbox_url);
    json_of(control.request("POST", "/__sandbox/reset", "{}"), "sandbox reset");
  }
  std::atomic<long long> errors{0};
  run_clients(sandbox_url, 8, phones, 600, 0, [&](HttpSession& s, long long k) {
    boost::json::object c{
        {"FirstName", "Bench"}, {"LastName", "Contact " + std::to_string(k)}, {"Phone", display_phone(k)}};
    const auto r = s.request("POST", "/__sandbox/records/Contact", boost::json::serialize(c));
    if (r.status != 201) {
      if (errors++ == 0)
        std::cerr << "appconnect-load: seeding failed: " << r.status << " " << r.error << r.body << "\n";
    }
  });
  std::cout << "mode=seed contacts=" << phones - errors << " errors=" << errors << "\n";
  return errors > 0 ? 1 : 0;
}

// --------------------------------------------------------------------------------------------- coldstart

int coldstart(const Options& o) {
  const std::string url = o.need("url");
  const long long runs = o.num("runs", 5);
  if (o.command.empty()) throw std::invalid_argument("coldstart needs the host command after --");
  std::vector<double> times;
  for (long long run = 0; run < runs; ++run) {
    const auto t0 = Clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
      std::vector<char*> argv;
      for (const auto& a : o.command) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      if (std::freopen("/dev/null", "w", stdout) == nullptr || std::freopen("/dev/null", "w", stderr) == nullptr)
        ::_exit(126);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    if (pid < 0) throw std::runtime_error("fork failed");
    double ms = -1;
    while (seconds_since(t0) < 30) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) throw std::runtime_error("the host exited before it was ready");
      HttpSession s(url);
      if (s.request("GET", "/healthz").status == 200) {
        ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (ms < 0) throw std::runtime_error("the host was not ready within 30 s");
    times.push_back(ms);
  }
  std::cout << "mode=coldstart runs=" << runs << " median_ms=" << fixed(percentile(times, 0.5), 1)
            << " min_ms=" << fixed(*std::min_element(times.begin(), times.end()), 1)
            << " max_ms=" << fixed(*std::max_element(times.begin(), times.end()), 1) << "\n";
  return 0;
}

// ------------------------------------------------------------------------------------------------ export

// A call-log export as `GET /restapi/v1.0/account/~/call-log?view=Detailed` pages it: JSON Lines, one
// page of 100 records per line. Every caller is one of the seeded bench contacts, so every record
// becomes a call the host can match and log.
int export_mode(const Options& o) {
  const std::string file = o.need("out"), prefix = o.str("prefix", "BF");
  const long long count = o.num("count", 100000), phones = o.num("phones", 200);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + file);
  const std::int64_t base_ms = wall_ms() - 30LL * 24 * 3600 * 1000; // a month of history, ending now
  boost::json::array page;
  for (long long i = 0; i < count; ++i) {
    const std::string id = prefix + std::to_string(i);
    const std::string start = appconnect::sdk::time::format_iso8601_utc(base_ms + i * 20000);
    const std::string from = "+1" + national_digits(i % std::max(1LL, phones));
    const long long duration = 30 + i % 300;
    boost::json::object party_to{{"phoneNumber", "+16505550100"}, {"name", "Maria Garcia"}};
    boost::json::object rec{{"id", id},
                            {"sessionId", std::to_string(4700000000LL + i)},
                            {"telephonySessionId", "s-" + id},
                            {"startTime", start},
                            {"duration", duration},
                            {"type", "Voice"},
                            {"direction", "Inbound"},
                            {"action", "Phone Call"},
                            {"result", i % 10 == 0 ? "Missed" : "Accepted"},
                            {"to", party_to},
                            {"from", boost::json::object{{"phoneNumber", from}}},
                            {"extension", boost::json::object{{"id", 62001}}},
                            {"lastModifiedTime", start},
                            {"legs", boost::json::array{boost::json::object{
                                         {"startTime", start},
                                         {"duration", duration},
                                         {"action", "Phone Call"},
                                         {"result", "Accepted"},
                                         {"direction", "Inbound"},
                                         {"legType", "Accept"},
                                         {"extension", boost::json::object{{"id", 62001}}},
                                         {"from", boost::json::object{{"phoneNumber", from}}},
                                         {"to", boost::json::object{{"phoneNumber", "+16505550100"}}}}}}};
    page.push_back(std::move(rec));
    if (page.size() == 100 || i == count - 1) {
      out << boost::json::serialize(
                 boost::json::object{{"records", std::move(page)}, {"navigation", boost::json::object{}}})
          << "\n";
      page = boost::json::array{};
    }
  }
  out.close();
  if (!out) throw std::runtime_error("cannot write " + file);
  std::cout << "mode=export records=" << count << " file=" << file << "\n";
  return 0;
}

// ------------------------------------------------------------------------------------------------- drain

// Counts the Tasks the host writes while it works off a backlog, for at most `seconds` or until `count`
// new Tasks exist: calls logged/s over that window (and host CPU per call).
int drain(const Options& o) {
  const std::string sandbox_url = o.need("sandbox");
  const double seconds = o.real("seconds", 20);
  const long long count = o.num("count", 1LL << 62), host_pid = o.num("host-pid", 0);
  HttpSession sandbox(sandbox_url);
  const long long base = task_count(sandbox);
  const long long cpu0 = cpu_us(host_pid);
  const auto start = Clock::now();
  long long have = 0;
  while (seconds_since(start) < seconds) {
    have = task_count(sandbox) - base;
    if (have >= count) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const double elapsed = seconds_since(start);
  const long long cpu1 = cpu_us(host_pid);
  std::cout << "mode=drain logged=" << have << " seconds=" << fixed(elapsed, 3)
            << " rate=" << fixed(static_cast<double>(have) / elapsed, 1) << " all=" << (have >= count ? 1 : 0);
  if (host_pid > 0 && have > 0)
    std::cout << " host_cpu_us_per_call=" << fixed(static_cast<double>(cpu1 - cpu0) / static_cast<double>(have), 1);
  std::cout << "\n";
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string mode = argv[1];
  Options o;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      for (++i; i < argc; ++i) o.command.emplace_back(argv[i]);
      break;
    }
    if (a.rfind("--", 0) != 0 || i + 1 >= argc) {
      std::cerr << "appconnect-load: unexpected argument '" << a << "'\n\n" << kUsage;
      return 2;
    }
    o.values[a.substr(2)] = argv[++i];
  }
  std::signal(SIGPIPE, SIG_IGN);
  try {
    if (mode == "ingest") return ingest(o);
    if (mode == "e2e") return calls(o, false);
    if (mode == "latency") return calls(o, true);
    if (mode == "floor") return floor_mode(o);
    if (mode == "seed") return seed(o);
    if (mode == "coldstart") return coldstart(o);
    if (mode == "export") return export_mode(o);
    if (mode == "drain") return drain(o);
    std::cerr << "appconnect-load: unknown mode '" << mode << "'\n\n" << kUsage;
    return 2;
  } catch (const std::invalid_argument& ex) {
    std::cerr << "appconnect-load: " << ex.what() << "\n";
    return 2;
  } catch (const std::exception& ex) {
    std::cerr << "appconnect-load: " << ex.what() << "\n";
    return 1;
  }
}
