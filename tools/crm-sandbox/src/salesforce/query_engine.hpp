// Runs parsed SOQL and SOSL against the record store: binds names to the schema (canonical spelling,
// INVALID_FIELD / INVALID_TYPE errors), filters, sorts and projects records into Salesforce's record
// shape ({"attributes":{type,url}, fields..., "Owner":{...}} for relationship fields).
// Record shape: https://developer.salesforce.com/docs/platform/api-rest/guide/dome-query.md
#pragma once

#include "salesforce/schema.hpp"
#include "salesforce/soql.hpp"

#include "framework/record_store.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace appconnect::crm_sandbox::salesforce {

// A field path bound to the schema: "Phone" or, one relationship deep, "Owner.Email".
struct PathInfo {
  std::string canonical;
  const FieldDef* field = nullptr; // the direct field, or the reference field of a relationship path
  const FieldDef* leaf = nullptr;  // the field whose type governs comparison and sorting
  std::string sub;                 // relationship paths: the field on the related record
  bool relationship() const { return !sub.empty(); }
};

// Digits-only comparison of phone numbers, as SOSL PHONE FIELDS matching works for the connector:
// "(415) 555-0132" matches 4155550132, 14155550132 and +14155550132 (equal digits, or equal after
// a leading country code 1 on either side).
std::string phone_digits(std::string_view text);
bool phone_digits_match(std::string_view stored_digits, std::string_view searched_digits);

// "2024-05-01T10:00:00.000+0000": Salesforce's datetime format (ms, offset without colon).
std::string sf_datetime(std::int64_t unix_ms);

class QueryEngine {
 public:
  QueryEngine(const Schema& schema, const RecordStore& store) : schema_(schema), store_(store) {}

  struct QueryResult {
    std::vector<boost::json::object> rows; // after OFFSET/LIMIT, projected
    std::size_t total = 0;                 // totalSize (rows.size(), or the count for COUNT())
  };
  QueryResult query(soql::Select& select, std::string_view version) const;

  // `now_ms` and `lag_s` implement the search-index lag: records created through the API less than
  // lag_s ago are not found (seeded records always are).
  std::vector<boost::json::object> search(soql::Search& search, std::string_view version, std::int64_t now_ms,
                                          double lag_s) const;

  // Binds one path on `object`; throws SfError INVALID_FIELD.
  PathInfo bind_path(const ObjectDef& object, std::string_view path) const;
  const ObjectDef& bind_object(std::string_view name) const; // throws SfError INVALID_TYPE

  // The record in API shape; `fields` empty means every field of the object.
  boost::json::object project(const ObjectDef& object, const Record& record, const std::vector<PathInfo>& fields,
                              std::string_view version) const;

 private:
  struct Bound {
    const ObjectDef* object = nullptr;
    std::vector<PathInfo> select;
    std::unordered_map<std::string, PathInfo> paths; // WHERE and ORDER BY paths by canonical name
    const soql::Expr* where = nullptr;
    std::vector<soql::OrderItem> order;
    bool where_needs_lookup = false; // WHERE uses a relationship: evaluate outside the store lock
  };

  void bind_expr(Bound& bound, soql::Expr& expr) const;
  void bind_order(Bound& bound, std::vector<soql::OrderItem>& order) const;
  std::vector<PathInfo> bind_fields(const ObjectDef& object, const std::vector<std::string>& fields) const;

  // The value at `path` on `record` (null when unset); relationship paths read the related record.
  boost::json::value value_at(const Record& record, const PathInfo& path) const;
  bool eval(const soql::Expr& expr, const Record& record, const Bound& bound) const;
  void sort(std::vector<Record>& records, const Bound& bound) const;

  const Schema& schema_;
  const RecordStore& store_;
};

} // namespace appconnect::crm_sandbox::salesforce
