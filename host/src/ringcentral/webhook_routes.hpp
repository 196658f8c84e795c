// RingCentral webhooks: POST /v1/webhooks/ringcentral?tenant=T receives subscription notifications,
// maps them to native events (ringcentral/mapping.hpp) and hands them to the ingest service.
// GET /v1/admin/webhooks/inbox lists the authentic notifications that could not be mapped.
//
// Answers: 200 with the subscription handshake's Validation-Token echoed; 200 {"status":"ok",...} with
// what became of each mapped event; 400 body not JSON; 401 verification token missing or wrong;
// 404 unknown tenant; 422 authentic but nothing we can map (the body is kept in the webhook inbox).
#pragma once

#include "auth/authenticator.hpp"
#include "http/server.hpp"
#include "ingest/ingest_service.hpp"
#include "store/repositories.hpp"
#include "store/webhook_inbox.hpp"

#include <memory>
#include <string>

namespace appconnect::ringcentral {

struct WebhookDeps {
  std::shared_ptr<store::TenantRepository> tenants;
  std::shared_ptr<ingest::IngestService> ingest;
  std::shared_ptr<store::WebhookInboxRepository> inbox;
  std::shared_ptr<const auth::Authenticator> auth; // guards the inbox listing (admins of the tenant, operators)
};

void add_ringcentral_routes(http::Router& router, WebhookDeps deps);

} // namespace appconnect::ringcentral
