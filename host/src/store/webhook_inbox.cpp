#include "store/webhook_inbox.hpp"

#include "store/repositories.hpp"
#include "store/row_helpers.hpp"

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Tuple.h>

#include <algorithm>

using namespace Poco::Data::Keywords;

namespace appconnect::store {

Result<std::int64_t> WebhookInboxRepository::add(const std::string& tenant_id, const std::string& source,
                                                 const std::string& reason, const std::string& body) {
  try {
    auto s = db_->session();
    std::string tenant = tenant_id, src = source, why = reason, text = body;
    Poco::Int64 at = now_ms(), id = 0;
    Transaction tx(*db_, *s);
    *s << db_->sql(
        "INSERT INTO webhook_inbox (tenant_id, source, received_at, reason, body) VALUES (?, ?, ?, ?, ?) "
        "RETURNING id"),
        use(tenant), use(src), use(at), use(why), use(text), into(id), now;
    tx.commit();
    return static_cast<std::int64_t>(id);
  } catch (const Poco::Exception& ex) {
    return db_error("cannot keep the webhook body", ex);
  }
}

Result<std::vector<WebhookInboxRow>> WebhookInboxRepository::list(const std::string& tenant_id,
                                                                  const std::string& source, std::int64_t after_id,
                                                                  std::int64_t limit) {
  try {
    auto s = db_->session();
    std::string tenant = tenant_id, src = source;
    Poco::Int64 after = after_id, max_rows = std::clamp<std::int64_t>(limit, 1, 1000);
    std::string sql =
        "SELECT id, tenant_id, source, received_at, reason, body FROM webhook_inbox WHERE tenant_id = ? AND id > ?";
    if (!src.empty()) sql += " AND source = ?";
    sql += " ORDER BY id LIMIT ?";
    std::vector<Poco::Tuple<Poco::Int64, std::string, std::string, Poco::Int64, std::string, std::string>> rows;
    Poco::Data::Statement st(*s);
    st << db_->sql(sql), use(tenant), use(after);
    if (!src.empty()) st, use(src);
    st, use(max_rows), into(rows);
    st.execute();
    std::vector<WebhookInboxRow> out;
    out.reserve(rows.size());
    for (const auto& r : rows)
      out.push_back(WebhookInboxRow{r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>(), r.get<4>(), r.get<5>()});
    return out;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot list the webhook inbox", ex);
  }
}

} // namespace appconnect::store
