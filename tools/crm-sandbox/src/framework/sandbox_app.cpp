#include "framework/sandbox_app.hpp"

#include "framework/json_util.hpp"

#include <chrono>
#include <random>
#include <stdexcept>
#include <thread>

namespace appconnect::crm_sandbox {

namespace {
Response control_error(int status, std::string message) {
  return Response::json(status, boost::json::object{{"error", std::move(message)}});
}

// Control API bodies are JSON objects; an empty body counts as {}.
boost::json::object body_object(const Request& request) {
  if (request.body.empty()) return {};
  std::string error;
  auto v = try_parse_json(request.body, &error);
  if (!v) throw std::invalid_argument("body is not valid JSON: " + error);
  if (!v->is_object()) throw std::invalid_argument("body must be a JSON object");
  return std::move(v->as_object());
}
} // namespace

SandboxApp::SandboxApp(std::string_view crm, boost::json::value seed) : seed_(std::move(seed)), started_ms_(now_ms()) {
  emulator_ = make_emulator(crm, context_);
  if (!emulator_) {
    std::string names;
    for (const auto& n : emulator_names()) names += (names.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown CRM '" + std::string(crm) + "' (available: " + names + ")");
  }
  if (!seed_.is_null() && !seed_.is_object()) throw std::runtime_error("the seed must be a JSON object");
  std::lock_guard lock(reset_mutex_);
  load_seed_locked();
  add_control_routes();
}

void SandboxApp::set_base_url(std::string base_url) {
  context_.base_url = std::move(base_url);
}

void SandboxApp::load_seed_locked() {
  Knobs knobs;
  if (seed_.is_object()) {
    if (const auto* k = seed_.as_object().if_contains("knobs")) {
      if (!k->is_object()) throw std::runtime_error("seed 'knobs' must be an object");
      try {
        knobs.apply(k->as_object());
      } catch (const std::invalid_argument& e) {
        throw std::runtime_error(std::string("seed knobs: ") + e.what());
      }
    }
  }
  context_.knobs.set(knobs);
  log_.set_capacity(static_cast<std::size_t>(knobs.request_log_limit));
  emulator_->reset();
  emulator_->load_seed(seed_);
}

void SandboxApp::reset() {
  std::lock_guard lock(reset_mutex_);
  context_.store.clear();
  context_.tokens.clear();
  context_.usage.reset();
  faults_.clear();
  log_.clear();
  load_seed_locked();
}

Response SandboxApp::handle(const Request& request) {
  try {
    if (request.path == "/__sandbox" || request.path.rfind("/__sandbox/", 0) == 0) return handle_control(request);
    return handle_crm(request);
  } catch (const std::exception& e) {
    // A bug in an emulator must not take the process down; tests see a loud 500 instead.
    return control_error(500, std::string("sandbox internal error: ") + e.what());
  }
}

Response SandboxApp::handle_crm(const Request& request) {
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t arrived_ms = now_ms();
  const Knobs knobs = context_.knobs.snapshot();

  // Latency is slept here, with no lock held, so slow answers do not serialize the server.
  int delay = knobs.latency_ms;
  if (knobs.latency_jitter_ms > 0) {
    thread_local std::mt19937 rng{std::random_device{}()};
    delay += std::uniform_int_distribution<int>(0, knobs.latency_jitter_ms)(rng);
  }
  if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));

  Response response;
  std::string fault_text;
  if (auto fault = faults_.next(request, knobs)) {
    response = emulator_->fault_response(request, *fault);
    fault_text = fault->describe();
  } else {
    response = emulator_->handle(request);
  }

  LogEntry entry;
  entry.method = request.method;
  entry.path = request.path;
  entry.query = request.query_string;
  entry.status = response.status;
  entry.time_ms = arrived_ms;
  entry.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  entry.body = request.body;
  entry.fault = std::move(fault_text);
  log_.append(std::move(entry));
  return response;
}

Response SandboxApp::handle_control(const Request& request) {
  auto match = control_.match(request.method, request.path);
  if (!match.handler) {
    if (!match.allowed.empty()) {
      std::string allowed;
      for (const auto& m : match.allowed) allowed += (allowed.empty() ? "" : ", ") + m;
      auto r = control_error(405, "method not allowed; use " + allowed);
      r.set_header("Allow", allowed);
      return r;
    }
    return control_error(404, "no such control endpoint: " + request.method + " " + request.path);
  }
  try {
    return (*match.handler)(request, match.params);
  } catch (const std::invalid_argument& e) {
    return control_error(400, e.what());
  } catch (const std::runtime_error& e) {
    return control_error(400, e.what());
  }
}

void SandboxApp::add_control_routes() {
  control_.add("GET", "/__sandbox/health", [this](const Request&, const PathParams&) {
    return Response::json(200, boost::json::object{{"status", "ok"},
                                                   {"crm", std::string(emulator_->name())},
                                                   {"base_url", context_.base_url},
                                                   {"uptime_s", (now_ms() - started_ms_) / 1000.0},
                                                   {"requests", log_.last_seq()},
                                                   {"api_usage", context_.usage.used()}});
  });

  control_.add("GET", "/__sandbox/config", [this](const Request&, const PathParams&) {
    auto o = context_.knobs.snapshot().to_json();
    o["fail_next"] = faults_.pending();
    return Response::json(200, o);
  });

  control_.add("POST", "/__sandbox/config", [this](const Request& request, const PathParams&) {
    const auto update = body_object(request);
    // Validate the scripted faults first so a bad entry changes nothing.
    std::vector<FaultSpec> specs;
    if (const auto* fn = update.if_contains("fail_next")) {
      if (fn->is_object()) {
        specs.push_back(FaultSpec::from_json(*fn));
      } else if (fn->is_array()) {
        for (const auto& v : fn->as_array()) specs.push_back(FaultSpec::from_json(v));
      } else {
        throw std::invalid_argument("fail_next must be an array of {status, retry_after_s?, count?}");
      }
    }
    const Knobs knobs = context_.knobs.apply(update);
    for (auto& s : specs) faults_.push(std::move(s));
    log_.set_capacity(static_cast<std::size_t>(knobs.request_log_limit));
    auto o = knobs.to_json();
    o["fail_next"] = faults_.pending();
    return Response::json(200, o);
  });

  control_.add("GET", "/__sandbox/requests", [this](const Request& request, const PathParams&) {
    std::uint64_t since = 0;
    if (const auto* s = request.query_param("since")) {
      try {
        since = std::stoull(*s);
      } catch (const std::exception&) {
        throw std::invalid_argument("since must be a non-negative integer");
      }
    }
    boost::json::array entries;
    for (const auto& e : log_.since(since)) entries.push_back(e.to_json());
    return Response::json(
        200, boost::json::object{
                 {"requests", std::move(entries)}, {"last_seq", log_.last_seq()}, {"dropped", log_.dropped()}});
  });

  control_.add("DELETE", "/__sandbox/requests", [this](const Request&, const PathParams&) {
    log_.clear();
    return Response::json(200, boost::json::object{{"cleared", true}, {"last_seq", log_.last_seq()}});
  });

  control_.add("GET", "/__sandbox/records", [this](const Request&, const PathParams&) {
    boost::json::object counts;
    for (const auto& name : context_.store.objects()) counts[name] = context_.store.count(name);
    return Response::json(200, boost::json::object{{"objects", std::move(counts)}});
  });

  control_.add("GET", "/__sandbox/records/{object}", [this](const Request&, const PathParams& params) {
    std::string object = emulator_->canonical_object(params["object"]);
    if (object.empty()) object = params["object"];
    boost::json::array records;
    for (const auto& r : context_.store.list(object)) records.push_back(emulator_->export_record(object, r));
    const auto count = records.size();
    return Response::json(200,
                          boost::json::object{{"object", object}, {"count", count}, {"records", std::move(records)}});
  });

  control_.add("POST", "/__sandbox/records/{object}", [this](const Request& request, const PathParams& params) {
    const std::string object = emulator_->canonical_object(params["object"]);
    if (object.empty()) return control_error(404, "unknown object '" + params["object"] + "'");
    auto id = emulator_->seed_record(object, body_object(request));
    return Response::json(201, boost::json::object{{"id", id}, {"object", object}});
  });

  control_.add("POST", "/__sandbox/expire-tokens", [this](const Request&, const PathParams&) {
    const auto count = context_.tokens.access_count();
    context_.tokens.expire_all_access();
    return Response::json(200, boost::json::object{{"expired", count}});
  });

  control_.add("POST", "/__sandbox/issue-token", [this](const Request& request, const PathParams&) {
    return Response::json(200, emulator_->issue_test_token(body_object(request)));
  });

  control_.add("POST", "/__sandbox/reset", [this](const Request&, const PathParams&) {
    reset();
    return Response::json(200, boost::json::object{{"reset", true}});
  });
}

} // namespace appconnect::crm_sandbox
