// The admin HTTP API (/v1/admin/...): the unresolved queue and the rules simulation. Every route needs
// "Authorization: Bearer <admin token>"; without a configured token the admin API refuses everything.
#pragma once

#include "http/server.hpp"
#include "matching/contact_cache.hpp"
#include "pipeline/processor.hpp"
#include "store/matching_repositories.hpp"
#include "store/repositories.hpp"

#include <functional>
#include <memory>
#include <string>

namespace appconnect::admin {

struct AdminDeps {
  std::string admin_token;
  std::shared_ptr<store::UnresolvedRepository> unresolved;
  std::shared_ptr<store::EventRepository> events;
  std::shared_ptr<store::JobRepository> jobs;
  std::shared_ptr<pipeline::Processor> processor;
  std::shared_ptr<matching::ContactCache> contacts; // re-running rules must see the CRM as it is now
  std::function<void()> wake_workers;
};

void add_admin_routes(http::Router& router, AdminDeps deps);

} // namespace appconnect::admin
