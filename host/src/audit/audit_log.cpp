#include "audit/audit_log.hpp"

#include "security/crypto.hpp"
#include "store/row_helpers.hpp"

#include <Poco/Data/DataException.h>
#include <Poco/Data/Session.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/Timestamp.h>
#include <Poco/Tuple.h>

#include <boost/json.hpp>

#include <chrono>

using namespace Poco::Data::Keywords;

namespace appconnect::audit {
namespace {

using EntryTuple = Poco::Tuple<Poco::Int64, Poco::Int64, std::string, std::string, std::string, std::string,
                               std::string, std::string, std::string>;
constexpr const char* kColumns = "position, at_ms, tenant_id, actor, action, subject, detail, prev_hash, hash";

Entry entry_from(const EntryTuple& t) {
  return Entry{t.get<0>(), t.get<1>(), t.get<2>(), t.get<3>(), t.get<4>(),
               t.get<5>(), t.get<6>(), t.get<7>(), t.get<8>()};
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

// A read-only transaction over one snapshot, so verify() sees the chain and its head as of one
// instant even while other threads or processes append. Always rolled back: it writes nothing.
class Snapshot {
 public:
  Snapshot(store::Database& db, Poco::Data::Session& s) : s_(s) {
    // SQLite in WAL mode: a deferred transaction keeps the snapshot of its first read until it ends.
    s_ << (db.dialect() == store::Dialect::kPostgres ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN"),
        now;
  }
  ~Snapshot() {
    try {
      s_ << "ROLLBACK", now;
    } catch (const Poco::Exception&) {
      // Nothing was written; the session is discarded by the pool if it broke.
    }
  }
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

 private:
  Poco::Data::Session& s_;
};

VerifyReport broken(VerifyReport r, std::int64_t position, std::string problem, std::string message) {
  r.intact = false;
  r.bad_position = position;
  r.problem = std::move(problem);
  r.message = "position " + std::to_string(position) + ": " + message;
  return r;
}

} // namespace

boost::json::object Entry::to_json() const {
  boost::system::error_code ec;
  boost::json::value d = boost::json::parse(detail, ec);
  if (ec) d = boost::json::string(detail);
  return boost::json::object{
      {"position", position},
      {"at_ms", at_ms},
      {"time", Poco::DateTimeFormatter::format(Poco::Timestamp(at_ms * 1000), "%Y-%m-%dT%H:%M:%S.%iZ")},
      {"tenant", tenant},
      {"actor", actor},
      {"action", action},
      {"subject", subject},
      {"detail", std::move(d)},
      {"prev_hash", prev_hash},
      {"hash", hash}};
}

std::string canonical_form(const Entry& e) {
  std::string out = "appconnect-audit-v1\n";
  field(out, std::to_string(e.position));
  field(out, std::to_string(e.at_ms));
  field(out, e.tenant);
  field(out, e.actor);
  field(out, e.action);
  field(out, e.subject);
  field(out, e.detail);
  field(out, e.prev_hash);
  return out;
}

std::string entry_hash(const Entry& e) {
  return security::sha256_hex(canonical_form(e));
}

Result<Entry> AuditLog::append(const NewEntry& n) {
  try {
    auto s = db_->session();
    store::Transaction tx(*db_, *s);
    Entry e = append_in(*s, n);
    tx.commit();
    return e;
  } catch (const Poco::Exception& ex) {
    return store::db_error("cannot append to the audit trail", ex);
  }
}

Entry AuditLog::append_in(Poco::Data::Session& session, const NewEntry& n) {
  std::vector<Poco::Tuple<Poco::Int64, std::string>> head;
  // The head row is the chain's lock: on PostgreSQL FOR UPDATE makes concurrent appenders (any
  // process) wait here, so each reads the head the previous one committed. SQLite's BEGIN IMMEDIATE
  // already holds the database's single write lock.
  session << std::string("SELECT position, hash FROM audit_head WHERE id = 1") +
                 (db_->dialect() == store::Dialect::kPostgres ? " FOR UPDATE" : ""),
      into(head), now;
  if (head.empty()) throw Poco::Data::DataException("the audit chain head is missing (schema not migrated?)");
  Entry e;
  e.position = head.front().get<0>() + 1;
  e.at_ms = now_ms();
  e.tenant = n.tenant;
  e.actor = n.actor;
  e.action = n.action;
  e.subject = n.subject;
  e.detail = boost::json::serialize(n.detail);
  e.prev_hash = head.front().get<1>();
  e.hash = entry_hash(e);
  Poco::Int64 position = e.position, at = e.at_ms;
  session << db_->sql(std::string("INSERT INTO audit_log (") + kColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      use(position), use(at), use(e.tenant), use(e.actor), use(e.action), use(e.subject), use(e.detail),
      use(e.prev_hash), use(e.hash), now;
  session << db_->sql("UPDATE audit_head SET position = ?, hash = ? WHERE id = 1"), use(position), use(e.hash), now;
  return e;
}

Result<std::vector<Entry>> AuditLog::list(const ListFilter& f) {
  try {
    auto s = db_->session();
    std::vector<EntryTuple> rows;
    Poco::Int64 after = f.after, to = f.to, limit = f.limit;
    std::string tenant = f.tenant, tenant_again = f.tenant;
    Poco::Int64 to_again = f.to;
    *s << db_->sql(std::string("SELECT ") + kColumns +
                   " FROM audit_log WHERE position > ? AND (? = '' OR tenant_id = ?) AND (? = 0 OR position <= ?) "
                   "ORDER BY position LIMIT ?"),
        use(after), use(tenant), use(tenant_again), use(to), use(to_again), use(limit), into(rows), now;
    std::vector<Entry> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(entry_from(r));
    return out;
  } catch (const Poco::Exception& ex) {
    return store::db_error("cannot read the audit trail", ex);
  }
}

Result<std::int64_t> AuditLog::export_jsonl(std::ostream& out, std::int64_t from, std::int64_t to,
                                            const std::string& tenant) {
  ListFilter f;
  f.tenant = tenant;
  f.after = from > 0 ? from - 1 : 0;
  f.to = to;
  f.limit = 1000;
  std::int64_t written = 0;
  for (;;) {
    auto page = list(f);
    if (!page) return page.error();
    for (const auto& e : page.value()) out << boost::json::serialize(e.to_json()) << '\n';
    written += static_cast<std::int64_t>(page.value().size());
    if (static_cast<std::int64_t>(page.value().size()) < f.limit) break;
    f.after = page.value().back().position;
  }
  out.flush();
  return written;
}

Result<VerifyReport> AuditLog::verify() {
  try {
    auto s = db_->session();
    Snapshot snapshot(*db_, *s);
    std::vector<Poco::Tuple<Poco::Int64, std::string>> head;
    *s << "SELECT position, hash FROM audit_head WHERE id = 1", into(head), now;
    if (head.empty())
      return Error::make(error_code::kInternal, "the audit chain head is missing (schema not migrated?)", false);
    const std::int64_t head_position = head.front().get<0>();
    const std::string head_hash = head.front().get<1>();

    // Where an entry with this hash sits now (0 if nowhere): tells a moved entry from an altered one.
    auto position_of_hash = [&](const std::string& hash) -> std::int64_t {
      std::string h = hash;
      std::vector<Poco::Int64> found;
      *s << db_->sql("SELECT position FROM audit_log WHERE hash = ?"), use(h), into(found), now;
      return found.empty() ? 0 : found.front();
    };

    VerifyReport r;
    std::int64_t expected = 1;
    std::string prev_hash; // the stored hash of the entry before; "" before the first
    for (;;) {
      std::vector<EntryTuple> rows;
      Poco::Int64 after = expected - 1;
      *s << db_->sql(std::string("SELECT ") + kColumns +
                     " FROM audit_log WHERE position > ? ORDER BY position LIMIT 1000"),
          use(after), into(rows), now;
      for (const auto& t : rows) {
        const Entry e = entry_from(t);
        ++r.entries;
        if (e.position > expected) {
          const std::string which = e.position - 1 == expected ? "the entry is missing"
                                                               : "entries " + std::to_string(expected) + " to " +
                                                                     std::to_string(e.position - 1) + " are missing";
          return broken(r, expected, "removed", which);
        }
        const bool self_ok = entry_hash(e) == e.hash;
        const bool linked = e.prev_hash == prev_hash;
        if (!linked) {
          const std::int64_t origin = e.prev_hash.empty() ? 0 : position_of_hash(e.prev_hash);
          if (origin != 0 && origin != expected - 1)
            return broken(r, e.position, "reordered",
                          "the entry belongs after the entry now at position " + std::to_string(origin));
          if (self_ok && expected > 1)
            return broken(r, expected - 1, "altered",
                          "the entry's hash was rewritten: the next entry does not link to it");
          return broken(r, e.position, "altered", "the entry does not link to the one before it");
        }
        if (!self_ok) return broken(r, e.position, "altered", "the entry's content does not match its hash");
        prev_hash = e.hash;
        ++expected;
      }
      if (rows.size() < 1000) break;
    }
    const std::int64_t last = expected - 1;
    if (head_position > last) {
      const std::string which = head_position == last + 1 ? "the last entry is missing"
                                                          : "entries " + std::to_string(last + 1) + " to " +
                                                                std::to_string(head_position) + " are missing";
      return broken(r, last + 1, "removed",
                    which + " (the chain head records " + std::to_string(head_position) + " entries)");
    }
    if (head_position < last)
      return broken(r, head_position + 1, "inserted",
                    "the chain head records " + std::to_string(head_position) + " entries; later ones were added");
    if (head_hash != prev_hash)
      return broken(r, last, "altered", "the last entry's hash differs from the one the chain head records");
    return r;
  } catch (const Poco::Exception& ex) {
    return store::db_error("cannot read the audit trail", ex);
  }
}

NewEntry decision_entry(const std::string& tenant, const std::string& event_id, std::int64_t job_id,
                        const std::string& connection_id, const std::string& action, boost::json::value explanation) {
  return NewEntry{
      tenant, "system", action, event_id,
      boost::json::object{{"job", job_id}, {"connection", connection_id}, {"explanation", std::move(explanation)}}};
}

} // namespace appconnect::audit
