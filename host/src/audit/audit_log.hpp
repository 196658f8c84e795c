// The audit trail: append-only, hash-chained entries, one chain per host database.
//
// Each entry carries its position (1, 2, 3, ... without gaps), the time, tenant, actor, action, subject
// and a JSON detail, the previous entry's hash and its own hash: SHA-256 over canonical_form(). Altering
// an entry breaks its hash; removing one leaves a gap (or, at the tail, disagrees with the chain head);
// reordering breaks the links. verify() walks the chain and names the first bad position.
//
// Appends are serialized on the chain head row (SQLite: the database write lock; PostgreSQL: SELECT ...
// FOR UPDATE), so threads and processes sharing a database never fork the chain.
//
// No secret belongs in an entry: callers put identifiers and decisions in `detail`, never tokens.
#pragma once

#include "common/result.hpp"
#include "store/database.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace appconnect::audit {

struct NewEntry {
  std::string tenant;  // "" for host-wide actions
  std::string actor;   // "system", "admin", "admin:<token name>", "rep:<id>", "cli"
  std::string action;  // "decision.logged", "unresolved.resolved", ...
  std::string subject; // event id, item id, connection id, ...
  boost::json::object detail;
};

struct Entry {
  std::int64_t position = 0;
  std::int64_t at_ms = 0;
  std::string tenant;
  std::string actor;
  std::string action;
  std::string subject;
  std::string detail; // the JSON text exactly as stored and hashed
  std::string prev_hash;
  std::string hash;

  // position, time (ms and RFC 3339 UTC), tenant, actor, action, subject, detail (as JSON), hashes.
  boost::json::object to_json() const;
};

// What is hashed: a fixed tag, then each field as "<byte length>:<bytes>\n", in the order position,
// at_ms, tenant, actor, action, subject, detail, prev_hash (numbers in decimal). Length prefixes make it
// unambiguous without escaping rules, so any language can recompute it (docs/security.md).
std::string canonical_form(const Entry& e);
std::string entry_hash(const Entry& e); // hex SHA-256 of canonical_form()

struct VerifyReport {
  bool intact = true;
  std::int64_t entries = 0;      // entries read
  std::int64_t bad_position = 0; // the first position found wrong (0 when intact)
  std::string problem;           // "altered" | "removed" | "reordered" | "inserted"
  std::string message;           // a sentence for people
};

struct ListFilter {
  std::string tenant;     // empty: every tenant
  std::int64_t after = 0; // positions greater than this (keyset paging)
  std::int64_t to = 0;    // 0: no upper bound, else positions <= to
  std::int64_t limit = 100;
};

class AuditLog {
 public:
  explicit AuditLog(std::shared_ptr<store::Database> db) : db_(std::move(db)) {}

  Result<Entry> append(const NewEntry& entry);
  // The same inside the caller's write transaction (a job's decision commits with the job's new state);
  // throws Poco exceptions, which roll the caller's transaction back.
  Entry append_in(Poco::Data::Session& session, const NewEntry& entry);

  // Reads the whole chain in one consistent snapshot and checks every link.
  Result<VerifyReport> verify();

  Result<std::vector<Entry>> list(const ListFilter& filter);

  // Writes entries as JSON Lines (one Entry::to_json() per line), positions from..to (to = 0: the end),
  // optionally one tenant's. Returns how many were written.
  Result<std::int64_t> export_jsonl(std::ostream& out, std::int64_t from, std::int64_t to, const std::string& tenant);

 private:
  std::shared_ptr<store::Database> db_;
};

// The entry of a pipeline decision. `action` is e.g. "decision.logged", "decision.placeholder_created",
// "decision.queued"; `explanation` is the matching explanation. Actor "system", subject the event id.
NewEntry decision_entry(const std::string& tenant, const std::string& event_id, std::int64_t job_id,
                        const std::string& connection_id, const std::string& action, boost::json::value explanation);

} // namespace appconnect::audit
