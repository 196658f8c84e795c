#include "store/matching_repositories.hpp"

#include "store/repositories.hpp"
#include "store/row_helpers.hpp"

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>
#include <Poco/Tuple.h>

#include <boost/json.hpp>

using namespace Poco::Data::Keywords;

namespace appconnect::store {
namespace {

constexpr const char* kItemColumns =
    "id, tenant_id, connection_id, job_id, event_seq, conversation_key, kind, phone_e164, agent, owner_id, reason, "
    "detail, state, resolution, resolved_by, created_at, resolved_at";

// Poco::Tuple tops out at 20 fields; 17 columns fit.
using ItemTuple =
    Poco::Tuple<Poco::Int64, std::string, std::string, Poco::Int64, Poco::Int64, std::string, std::string, std::string,
                std::string, std::string, std::string, std::string, std::string, Poco::Nullable<std::string>,
                Poco::Nullable<std::string>, Poco::Int64, Poco::Nullable<Poco::Int64>>;

UnresolvedItem item_from(const ItemTuple& t) {
  UnresolvedItem i;
  i.id = t.get<0>();
  i.tenant_id = t.get<1>();
  i.connection_id = t.get<2>();
  i.job_id = t.get<3>();
  i.event_seq = t.get<4>();
  i.conversation_key = t.get<5>();
  i.kind = t.get<6>();
  i.phone_e164 = t.get<7>();
  i.agent = t.get<8>();
  i.owner_id = t.get<9>();
  i.reason = t.get<10>();
  i.detail = parse_object(t.get<11>());
  i.state = t.get<12>();
  if (!t.get<13>().isNull()) i.resolution = parse_object(t.get<13>().value());
  if (!t.get<14>().isNull()) i.resolved_by = t.get<14>().value();
  i.created_at = t.get<15>();
  if (!t.get<16>().isNull()) i.resolved_at = t.get<16>().value();
  return i;
}

} // namespace

Result<std::int64_t> UnresolvedRepository::open(const UnresolvedItem& item, const std::optional<Lease>& lease,
                                                const AlsoInTransaction& also) {
  try {
    auto s = db_->session();
    std::string tenant = item.tenant_id, conn = item.connection_id, key = item.conversation_key, kind = item.kind,
                phone = item.phone_e164, agent = item.agent, owner = item.owner_id, reason = item.reason,
                detail = boost::json::serialize(item.detail), state = "open";
    Poco::Int64 job = item.job_id, seq = item.event_seq;
    std::int64_t at = now_ms();
    Transaction tx(*db_, *s);
    std::string detail_for_job = detail;
    std::string lease_owner = lease ? lease->owner : std::string();
    Poco::Int64 lease_attempt = lease ? lease->attempt : 0;
    Poco::Data::Statement park(*s);
    park << db_->sql(std::string("UPDATE jobs SET state = 'unresolved', last_error = ?, lease_owner = NULL, "
                                 "lease_expires_at = NULL, updated_at = ? WHERE id = ?") +
                     (lease ? " AND state = 'running' AND lease_owner = ? AND attempts = ?" : "")),
        use(detail_for_job), use(at), use(job);
    if (lease) park, use(lease_owner), use(lease_attempt);
    if (park.execute() != 1 && lease)
      return Error::make(kLeaseLost,
                         "job " + std::to_string(item.job_id) + " is no longer leased to " + lease->owner +
                             ": another worker took it over",
                         false);
    // A job that comes back to the queue (rules re-run and still undecided) keeps its one item.
    std::vector<Poco::Int64> existing;
    *s << db_->sql("SELECT id FROM unresolved_items WHERE job_id = ?"), use(job), into(existing), now;
    Poco::Int64 id = 0;
    if (!existing.empty()) {
      id = existing.front();
      *s << db_->sql(
          "UPDATE unresolved_items SET reason = ?, detail = ?, state = 'open', resolution = NULL, "
          "resolved_by = NULL, resolved_at = NULL, phone_e164 = ?, owner_id = ? WHERE id = ?"),
          use(reason), use(detail), use(phone), use(owner), use(id), now;
    } else {
      *s << db_->sql(
          "INSERT INTO unresolved_items (tenant_id, connection_id, job_id, event_seq, conversation_key, "
          "kind, phone_e164, agent, owner_id, reason, detail, state, created_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
          use(tenant), use(conn), use(job), use(seq), use(key), use(kind), use(phone), use(agent), use(owner),
          use(reason), use(detail), use(state), use(at), into(id), now;
    }
    if (also) also(*s);
    tx.commit();
    return static_cast<std::int64_t>(id);
  } catch (const Poco::Exception& ex) {
    return db_error("cannot queue unresolved item", ex);
  }
}

Result<std::vector<UnresolvedItem>> UnresolvedRepository::list(const UnresolvedFilter& f) {
  try {
    auto s = db_->session();
    std::string sql = std::string("SELECT ") + kItemColumns + " FROM unresolved_items WHERE tenant_id = ? AND id > ?";
    std::string tenant = f.tenant_id, state = f.state, conn = f.connection_id, agent = f.agent, kind = f.kind,
                phone = f.phone_e164;
    Poco::Int64 after = f.after_id, before = f.created_before_ms, limit = std::clamp<std::int64_t>(f.limit, 1, 1000);
    Poco::Data::Statement st(*s);
    // Optional filters are bound only when present, in the order they appear in the SQL.
    if (!state.empty()) sql += " AND state = ?";
    if (!conn.empty()) sql += " AND connection_id = ?";
    if (!agent.empty()) sql += " AND agent = ?";
    if (!kind.empty()) sql += " AND kind = ?";
    if (!phone.empty()) sql += " AND phone_e164 = ?";
    if (before > 0) sql += " AND created_at < ?";
    sql += " ORDER BY id LIMIT ?";
    st << db_->sql(sql), use(tenant), use(after);
    if (!state.empty()) st, use(state);
    if (!conn.empty()) st, use(conn);
    if (!agent.empty()) st, use(agent);
    if (!kind.empty()) st, use(kind);
    if (!phone.empty()) st, use(phone);
    if (before > 0) st, use(before);
    std::vector<ItemTuple> rows;
    st, use(limit), into(rows);
    st.execute();
    std::vector<UnresolvedItem> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(item_from(r));
    return out;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot list unresolved items", ex);
  }
}

Result<std::optional<UnresolvedItem>> UnresolvedRepository::get(const std::string& tenant_id, std::int64_t id) {
  try {
    auto s = db_->session();
    std::string tenant = tenant_id;
    Poco::Int64 key = id;
    std::vector<ItemTuple> rows;
    *s << db_->sql(std::string("SELECT ") + kItemColumns + " FROM unresolved_items WHERE tenant_id = ? AND id = ?"),
        use(tenant), use(key), into(rows), now;
    if (rows.empty()) return std::optional<UnresolvedItem>();
    return std::optional<UnresolvedItem>(item_from(rows.front()));
  } catch (const Poco::Exception& ex) {
    return db_error("cannot read unresolved item", ex);
  }
}

Result<std::int64_t> UnresolvedRepository::count_open(const std::string& tenant_id) {
  try {
    auto s = db_->session();
    std::string tenant = tenant_id;
    Poco::Int64 n = 0;
    *s << db_->sql("SELECT COUNT(*) FROM unresolved_items WHERE tenant_id = ? AND state = 'open'"), use(tenant),
        into(n), now;
    return static_cast<std::int64_t>(n);
  } catch (const Poco::Exception& ex) {
    return db_error("cannot count unresolved items", ex);
  }
}

Result<std::int64_t> UnresolvedRepository::count_open_for_agent(const std::string& tenant_id,
                                                                const std::string& agent) {
  try {
    auto s = db_->session();
    std::string tenant = tenant_id, who = agent;
    Poco::Int64 n = 0;
    *s << db_->sql("SELECT COUNT(*) FROM unresolved_items WHERE tenant_id = ? AND state = 'open' AND agent = ?"),
        use(tenant), use(who), into(n), now;
    return static_cast<std::int64_t>(n);
  } catch (const Poco::Exception& ex) {
    return db_error("cannot count unresolved items", ex);
  }
}

Result<std::vector<UnresolvedRepository::Group>> UnresolvedRepository::open_groups(const std::string& tenant_id,
                                                                                   const std::string& agent,
                                                                                   std::int64_t offset,
                                                                                   std::int64_t limit) {
  try {
    auto s = db_->session();
    std::string tenant = tenant_id, who = agent;
    Poco::Int64 skip = std::max<std::int64_t>(offset, 0), n = std::clamp<std::int64_t>(limit, 1, 1000);
    std::vector<Poco::Tuple<std::string, std::string, Poco::Int64, Poco::Int64, Poco::Int64>> rows;
    // The empty-agent test lets one statement serve admins (all items) and reps (their own).
    *s << db_->sql(
        "SELECT phone_e164, connection_id, COUNT(*), MIN(id), MAX(created_at) FROM unresolved_items "
        "WHERE tenant_id = ? AND state = 'open' AND (? = '' OR agent = ?) "
        "GROUP BY phone_e164, connection_id ORDER BY COUNT(*) DESC, MIN(id) LIMIT ? OFFSET ?"),
        use(tenant), use(who), use(who), use(n), use(skip), into(rows), now;
    std::vector<Group> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(Group{r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>(), r.get<4>()});
    return out;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot group unresolved items", ex);
  }
}

Result<std::int64_t> UnresolvedRepository::count_open_groups(const std::string& tenant_id, const std::string& agent) {
  try {
    auto s = db_->session();
    std::string tenant = tenant_id, who = agent;
    Poco::Int64 n = 0;
    *s << db_->sql(
        "SELECT COUNT(*) FROM (SELECT 1 FROM unresolved_items WHERE tenant_id = ? AND state = 'open' "
        "AND (? = '' OR agent = ?) GROUP BY phone_e164, connection_id) AS g"),
        use(tenant), use(who), use(who), into(n), now;
    return static_cast<std::int64_t>(n);
  } catch (const Poco::Exception& ex) {
    return db_error("cannot count unresolved groups", ex);
  }
}

Result<Done> UnresolvedRepository::decide(const std::string& tenant_id, std::int64_t id, const std::string& state,
                                          const boost::json::object& resolution, const std::string& decided_by) {
  try {
    auto s = db_->session();
    std::string tenant = tenant_id, new_state = state, by = decided_by, text = boost::json::serialize(resolution);
    Poco::Int64 key = id;
    std::int64_t at = now_ms();
    Transaction tx(*db_, *s);
    std::vector<Poco::Tuple<Poco::Int64, std::string, std::string, std::string>> rows;
    *s << db_->sql(
        "SELECT job_id, state, connection_id, conversation_key FROM unresolved_items "
        "WHERE tenant_id = ? AND id = ?"),
        use(tenant), use(key), into(rows), now;
    if (rows.empty()) return Error::make(error_code::kNotFound, "no unresolved item " + std::to_string(id), false);
    if (rows.front().get<1>() != "open")
      return Error::make(error_code::kConflict,
                         "unresolved item " + std::to_string(id) + " is already " + rows.front().get<1>(), false);
    Poco::Int64 job = rows.front().get<0>();
    // Only an open item can be decided: two reps deciding at once (on PostgreSQL, in two processes)
    // must not both win, so the state check is part of the UPDATE and its row count is the verdict.
    Poco::Data::Statement update(*s);
    update << db_->sql(
        "UPDATE unresolved_items SET state = ?, resolution = ?, resolved_by = ?, resolved_at = ? "
        "WHERE id = ? AND state = 'open'"),
        use(new_state), use(text), use(by), use(at), use(key);
    if (update.execute() != 1)
      return Error::make(error_code::kConflict, "unresolved item " + std::to_string(id) + " was decided meanwhile",
                         false);
    // The job goes back to the workers with the decision; a skipped item's job logs nothing and closes.
    *s << db_->sql(
        "UPDATE jobs SET state = 'pending', resolution = ?, attempts = 0, next_attempt_at = ?, "
        "updated_at = ? WHERE id = ?"),
        use(text), use(at), use(at), use(job), now;
    // Several events of one conversation (the texts of one digest, the notifications of one call) may
    // each have queued an item; one decision places the whole conversation, so those go with it.
    std::string connection = rows.front().get<2>(), conversation = rows.front().get<3>();
    *s << db_->sql(
        "UPDATE unresolved_items SET state = ?, resolution = ?, resolved_by = ?, resolved_at = ? "
        "WHERE connection_id = ? AND conversation_key = ? AND state = 'open' AND id <> ?"),
        use(new_state), use(text), use(by), use(at), use(connection), use(conversation), use(key), now;
    *s << db_->sql(
        "UPDATE jobs SET state = 'pending', resolution = ?, attempts = 0, next_attempt_at = ?, updated_at = ? "
        "WHERE connection_id = ? AND conversation_key = ? AND state = 'unresolved'"),
        use(text), use(at), use(at), use(connection), use(conversation), now;
    tx.commit();
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot record the decision", ex);
  }
}

Result<std::int64_t> UnresolvedRepository::rerun(const std::string& tenant_id, const std::vector<std::int64_t>& ids) {
  try {
    auto s = db_->session();
    std::string tenant = tenant_id;
    std::int64_t at = now_ms();
    Transaction tx(*db_, *s);
    std::int64_t count = 0;
    for (auto id : ids) {
      Poco::Int64 key = id;
      std::vector<Poco::Int64> jobs;
      *s << db_->sql("SELECT job_id FROM unresolved_items WHERE tenant_id = ? AND id = ? AND state = 'open'"),
          use(tenant), use(key), into(jobs), now;
      if (jobs.empty()) continue;
      Poco::Int64 job = jobs.front();
      *s << db_->sql(
          "UPDATE jobs SET state = 'pending', resolution = NULL, attempts = 0, next_attempt_at = ?, "
          "updated_at = ? WHERE id = ? AND state = 'unresolved'"),
          use(at), use(at), use(job), now;
      ++count;
    }
    tx.commit();
    return count;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot re-run rules", ex);
  }
}

Result<std::optional<boost::json::object>> UnresolvedRepository::resolution_for_job(std::int64_t job_id) {
  try {
    auto s = db_->session();
    Poco::Int64 key = job_id;
    std::vector<Poco::Nullable<std::string>> rows;
    *s << db_->sql("SELECT resolution FROM jobs WHERE id = ?"), use(key), into(rows), now;
    if (rows.empty() || rows.front().isNull() || rows.front().value().empty())
      return std::optional<boost::json::object>();
    return std::optional<boost::json::object>(parse_object(rows.front().value()));
  } catch (const Poco::Exception& ex) {
    return db_error("cannot read the job's resolution", ex);
  }
}

// ------------------------------------------------------------------------------------------ placeholders

Result<PlaceholderClaim> PlaceholderRepository::claim(const std::string& connection_id, const std::string& phone_e164,
                                                      const std::string& claimant, std::int64_t stale_ms) {
  try {
    auto s = db_->session();
    std::string conn = connection_id, phone = phone_e164, who = claimant, creating = "creating";
    std::int64_t at = now_ms(), stale_before = at - stale_ms;
    Transaction tx(*db_, *s);
    // The primary key makes exactly one inserter win, in one process or many.
    *s << db_->sql(
        "INSERT INTO placeholders (connection_id, phone_e164, state, contact, claimed_by, claimed_at) "
        "VALUES (?, ?, ?, '{}', ?, ?) ON CONFLICT (connection_id, phone_e164) DO NOTHING"),
        use(conn), use(phone), use(creating), use(who), use(at), now;
    std::vector<Poco::Tuple<std::string, std::string, std::string, Poco::Int64>> rows;
    *s << db_->sql(
        "SELECT state, contact, claimed_by, claimed_at FROM placeholders WHERE connection_id = ? AND "
        "phone_e164 = ?"),
        use(conn), use(phone), into(rows), now;
    PlaceholderClaim out;
    if (rows.empty()) {
      out.state = PlaceholderClaim::State::kBusy;
    } else if (rows.front().get<0>() == "ready") {
      out.state = PlaceholderClaim::State::kReady;
      out.contact = parse_object(rows.front().get<1>());
    } else if (rows.front().get<2>() == who) {
      out.state = PlaceholderClaim::State::kClaimed;
    } else if (rows.front().get<3>() < stale_before) {
      *s << db_->sql(
          "UPDATE placeholders SET claimed_by = ?, claimed_at = ? WHERE connection_id = ? AND "
          "phone_e164 = ? AND state = 'creating'"),
          use(who), use(at), use(conn), use(phone), now;
      out.state = PlaceholderClaim::State::kClaimed;
    } else {
      out.state = PlaceholderClaim::State::kBusy;
    }
    tx.commit();
    return out;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot claim placeholder creation", ex);
  }
}

Result<Done> PlaceholderRepository::fulfil(const std::string& connection_id, const std::string& phone_e164,
                                           const boost::json::object& contact) {
  try {
    auto s = db_->session();
    std::string conn = connection_id, phone = phone_e164, text = boost::json::serialize(contact);
    Transaction tx(*db_, *s);
    *s << db_->sql("UPDATE placeholders SET state = 'ready', contact = ? WHERE connection_id = ? AND phone_e164 = ?"),
        use(text), use(conn), use(phone), now;
    tx.commit();
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot record the placeholder", ex);
  }
}

Result<Done> PlaceholderRepository::abandon(const std::string& connection_id, const std::string& phone_e164,
                                            const std::string& claimant) {
  try {
    auto s = db_->session();
    std::string conn = connection_id, phone = phone_e164, who = claimant;
    Transaction tx(*db_, *s);
    *s << db_->sql(
        "DELETE FROM placeholders WHERE connection_id = ? AND phone_e164 = ? AND state = 'creating' AND "
        "claimed_by = ?"),
        use(conn), use(phone), use(who), now;
    tx.commit();
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot release the placeholder claim", ex);
  }
}

} // namespace appconnect::store
