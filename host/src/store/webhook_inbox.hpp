// The webhook inbox: notifications that were authentic (they passed the source's verification) but that
// the host could not turn into events. They are kept verbatim so an admin can see what arrived and why
// it was not used, instead of the body vanishing with the 4xx answer.
#pragma once

#include "common/result.hpp"
#include "store/database.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace appconnect::store {

struct WebhookInboxRow {
  std::int64_t id = 0;
  std::string tenant_id;
  std::string source; // e.g. "ringcentral"
  std::int64_t received_at = 0;
  std::string reason;
  std::string body; // as received
};

class WebhookInboxRepository {
 public:
  explicit WebhookInboxRepository(std::shared_ptr<Database> db) : db_(std::move(db)) {}
  // Returns the new row's id.
  Result<std::int64_t> add(const std::string& tenant_id, const std::string& source, const std::string& reason,
                           const std::string& body);
  // Oldest first, ids greater than `after_id`; `source` empty = every source.
  Result<std::vector<WebhookInboxRow>> list(const std::string& tenant_id, const std::string& source,
                                            std::int64_t after_id, std::int64_t limit);

 private:
  std::shared_ptr<Database> db_;
};

} // namespace appconnect::store
