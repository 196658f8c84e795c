// Routes for operators and their tooling: GET /metrics (Prometheus text) and GET /readyz (may this host
// take traffic?). GET /healthz stays in app/host.cpp. See docs/operations/observability.md.
#pragma once

#include "http/server.hpp"

#include <memory>
#include <string>

namespace appconnect::store {
class Database;
class JobRepository;
class ConnectionRepository;
} // namespace appconnect::store
namespace appconnect::pipeline {
class ConnectionGuard;
class RateLimiter;
} // namespace appconnect::pipeline
namespace appconnect::plugins {
class PluginRegistry;
}

namespace appconnect::observability {

struct OpsDeps {
  std::string metrics_token; // empty: /metrics is open (bind the listener to a private address)
  std::shared_ptr<store::Database> db;
  std::shared_ptr<store::JobRepository> jobs;
  std::shared_ptr<store::ConnectionRepository> connections;
  std::shared_ptr<pipeline::ConnectionGuard> guard;
  std::shared_ptr<plugins::PluginRegistry> registry;
  std::shared_ptr<pipeline::RateLimiter> limiter; // what each CRM said about its limits; may be null
};

void add_ops_routes(http::Router& router, OpsDeps deps);

} // namespace appconnect::observability
