// Syntax of the SOQL and SOSL subsets the sandbox understands (no schema knowledge here; binding to
// fields happens in query_engine). Errors are SfError 400 MALFORMED_QUERY / MALFORMED_SEARCH with
// Salesforce's "ERROR at Row:1:Column:N" message layout.
//
// SOQL: SELECT f1, f2, Rel.f | COUNT() | FIELDS(ALL|STANDARD|CUSTOM) FROM Obj
//       [WHERE cond] [WITH SECURITY_ENFORCED|USER_MODE|SYSTEM_MODE]
//       [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]
//   cond: f = | != | <> | < | <= | > | >= literal, f [NOT] IN (literals), f LIKE 'pattern',
//         NOT cond, (cond), and chains of one of AND / OR: mixing them needs parentheses, as in
//         Salesforce ("a AND b OR c" is rejected).
//   literals: 'string', numbers, true, false, null, 2024-05-01, 2024-05-01T10:00:00Z
// SOSL: FIND {term} [IN ALL|NAME|EMAIL|PHONE|SIDEBAR FIELDS]
//       [RETURNING Obj [(fields [WHERE cond] [ORDER BY ...] [LIMIT n])], ...] [LIMIT n]
// Grammar references: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace appconnect::crm_sandbox::salesforce::soql {

struct Literal {
  enum class Kind { kString, kNumber, kBoolean, kNull, kDate, kDateTime };
  Kind kind = Kind::kNull;
  std::string text; // the string value, or the literal as written
  double number = 0;
  bool boolean = false;
  std::int64_t ms = 0; // date/datetime as epoch ms (dates at midnight UTC)
};

struct Expr {
  enum class Kind { kCompare, kIn, kNotIn, kLike, kAnd, kOr, kNot };
  Kind kind = Kind::kCompare;
  std::string field; // as written; the binder canonicalizes it
  std::string op;    // "=", "!=", "<", "<=", ">", ">=" for kCompare
  std::vector<Literal> values;
  std::vector<Expr> children;
};

struct OrderItem {
  std::string field;
  bool descending = false;
  bool nulls_last = false; // Salesforce default: NULLS FIRST for ASC, NULLS LAST for DESC
};

struct Select {
  std::vector<std::string> fields;
  bool count_only = false;  // SELECT COUNT()
  std::string fields_macro; // "ALL", "STANDARD" or "CUSTOM" for SELECT FIELDS(...)
  std::string object;
  std::optional<Expr> where;
  std::vector<OrderItem> order_by;
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> offset;
};

struct Returning {
  std::string object;
  std::vector<std::string> fields; // empty: Id only
  std::optional<Expr> where;
  std::vector<OrderItem> order_by;
  std::optional<std::int64_t> limit;
};

struct Search {
  std::string term;          // unescaped content of the braces
  std::string group = "ALL"; // ALL, NAME, EMAIL, PHONE, SIDEBAR
  std::vector<Returning> returning;
  std::optional<std::int64_t> limit;
};

Select parse_query(std::string_view soql);
Search parse_search(std::string_view sosl);
// A bare condition ("IsConverted = false"), as parameterizedSearch's {Object}.where takes.
Expr parse_condition(std::string_view text);
// "Name ASC, CreatedDate DESC NULLS LAST", as parameterizedSearch's {Object}.orderBy takes.
std::vector<OrderItem> parse_order_by(std::string_view text);

} // namespace appconnect::crm_sandbox::salesforce::soql
