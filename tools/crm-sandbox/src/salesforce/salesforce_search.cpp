// SOQL query (with query locators for pagination), SOSL search and parameterizedSearch.
// Query envelope {totalSize, done, nextRecordsUrl, records}; locator URL ".../query/01g...-2000":
//   https://developer.salesforce.com/docs/platform/api-rest/guide/dome-query.md
//   https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.md
// Search envelope {"searchRecords":[...]} (API 37.0+):
//   https://developer.salesforce.com/docs/platform/api-rest/guide/dome-search.md
// parameterizedSearch parameters (q, in, sobject, {S}.fields, {S}.where, {S}.limit, overallLimit...):
//   https://developer.salesforce.com/docs/atlas.en-us.260.0.api_rest.meta/api/resources_search_parameterized_get.htm
#include "salesforce/salesforce_emulator.hpp"

#include "salesforce/ids.hpp"
#include "salesforce/soql.hpp"

#include "framework/json_util.hpp"

#include <algorithm>

namespace appconnect::crm_sandbox::salesforce {

namespace {
constexpr std::size_t kMaxCursors = 256;

std::vector<std::string> split_csv(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (c == ',') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else if (c != ' ') {
      current.push_back(c);
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

std::int64_t to_int(const std::string& text, const char* what) {
  try {
    std::size_t used = 0;
    const long long n = std::stoll(text, &used);
    if (used == text.size() && n >= 0) return n;
  } catch (const std::exception&) {
  }
  throw SfError(400, "INVALID_SEARCH", std::string(what) + " must be a non-negative integer: " + text);
}
} // namespace

std::size_t SalesforceEmulator::batch_size(const Request& request) const {
  // "Sforce-Query-Options: batchSize=N" (200..2000) overrides; the knob makes small batches testable.
  const std::string options = request.header("sforce-query-options");
  const auto pos = options.find("batchSize=");
  if (pos != std::string::npos) {
    try {
      const int n = std::stoi(options.substr(pos + 10));
      return static_cast<std::size_t>(std::clamp(n, 200, 2000));
    } catch (const std::exception&) {
    }
  }
  return static_cast<std::size_t>(ctx_.knobs.snapshot().query_batch_size);
}

Response SalesforceEmulator::query_page(const std::shared_ptr<const Cursor>& cursor, const std::string& locator,
                                        std::size_t offset, std::size_t batch) const {
  const std::size_t total = cursor->rows.size();
  const std::size_t end = std::min(total, offset + batch);
  boost::json::array records;
  for (std::size_t i = offset; i < end; ++i) records.push_back(cursor->rows[i]);
  boost::json::object body{{"totalSize", total}, {"done", end >= total}};
  if (end < total)
    body["nextRecordsUrl"] = "/services/data/v" + cursor->version + "/query/" + locator + "-" + std::to_string(end);
  body["records"] = std::move(records);
  return Response::json(200, body);
}

Response SalesforceEmulator::query(ApiCall& call) {
  const auto* q = call.request.query_param("q");
  if (!q || q->empty()) throw SfError(400, "MALFORMED_QUERY", "A query string has to be specified");
  soql::Select select = soql::parse_query(*q);
  auto result = engine_.query(select, call.version);
  if (select.count_only)
    return Response::json(
        200, boost::json::object{{"totalSize", result.total}, {"done", true}, {"records", boost::json::array{}}});

  const std::size_t batch = batch_size(call.request);
  auto cursor = std::make_shared<Cursor>(Cursor{std::move(result.rows), call.version});
  if (cursor->rows.size() <= batch) return query_page(cursor, {}, 0, batch);

  // More than one batch: keep the rows behind a query locator, like the real server-side cursor.
  const std::string locator = make_id("01g", id_counter_.fetch_add(1, std::memory_order_relaxed));
  {
    std::lock_guard lock(cursor_mutex_);
    cursors_[locator] = cursor;
    cursor_order_.push_back(locator);
    while (cursor_order_.size() > kMaxCursors) {
      cursors_.erase(cursor_order_.front());
      cursor_order_.pop_front();
    }
  }
  return query_page(cursor, locator, 0, batch);
}

Response SalesforceEmulator::query_more(ApiCall& call) {
  const std::string& text = call.params["locator"];
  const auto dash = text.rfind('-');
  std::shared_ptr<const Cursor> cursor;
  std::size_t offset = 0;
  if (dash != std::string::npos) {
    try {
      std::size_t used = 0;
      offset = std::stoul(text.substr(dash + 1), &used);
      if (used != text.size() - dash - 1) throw std::invalid_argument("offset");
      std::lock_guard lock(cursor_mutex_);
      auto it = cursors_.find(text.substr(0, dash));
      if (it != cursors_.end()) cursor = it->second;
    } catch (const std::exception&) {
      cursor.reset();
    }
  }
  if (!cursor || offset > cursor->rows.size()) throw SfError(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
  return query_page(cursor, text.substr(0, dash), offset, batch_size(call.request));
}

Response SalesforceEmulator::search(ApiCall& call) {
  const auto* q = call.request.query_param("q");
  if (!q || q->empty())
    throw SfError(400, "MALFORMED_SEARCH", "No search term found. The search term must be enclosed in braces.");
  soql::Search s = soql::parse_search(*q);
  const Knobs knobs = ctx_.knobs.snapshot();
  auto rows = engine_.search(s, call.version, now_ms(), knobs.search_index_lag_s);
  boost::json::array records;
  for (auto& r : rows) records.push_back(std::move(r));
  return Response::json(200, boost::json::object{{"searchRecords", std::move(records)}});
}

Response SalesforceEmulator::parameterized_search(ApiCall& call) {
  // GET reads URL parameters; POST reads the same settings from a JSON body.
  soql::Search s;
  std::vector<std::string> global_fields;
  std::optional<std::int64_t> default_limit;
  if (call.request.method == "POST") {
    std::string error;
    auto v = try_parse_json(call.request.body, &error);
    if (!v || !v->is_object()) throw SfError(400, "JSON_PARSER_ERROR", "Malformed JSON body: " + error);
    const auto& o = v->as_object();
    s.term = json_string(o, "q");
    s.group = json_string(o, "in", "ALL");
    if (const auto* f = o.if_contains("fields"); f && f->is_array())
      for (const auto& x : f->as_array())
        if (x.is_string()) global_fields.emplace_back(x.get_string());
    if (const auto* l = o.if_contains("overallLimit"))
      s.limit = static_cast<std::int64_t>(as_number(*l).value_or(2000));
    if (const auto* l = o.if_contains("defaultLimit"))
      default_limit = static_cast<std::int64_t>(as_number(*l).value_or(2000));
    if (const auto* list = o.if_contains("sobjects"); list && list->is_array()) {
      for (const auto& item : list->as_array()) {
        if (!item.is_object()) continue;
        const auto& so = item.as_object();
        soql::Returning r;
        r.object = json_string(so, "name");
        if (const auto* f = so.if_contains("fields"); f && f->is_array())
          for (const auto& x : f->as_array())
            if (x.is_string()) r.fields.emplace_back(x.get_string());
        if (auto where = json_string(so, "where"); !where.empty()) r.where = soql::parse_condition(where);
        if (auto order = json_string(so, "orderBy"); !order.empty()) r.order_by = soql::parse_order_by(order);
        if (const auto* l = so.if_contains("limit")) r.limit = static_cast<std::int64_t>(as_number(*l).value_or(2000));
        s.returning.push_back(std::move(r));
      }
    }
  } else {
    const auto& req = call.request;
    if (const auto* q = req.query_param("q")) s.term = *q;
    if (const auto* in = req.query_param("in")) s.group = *in;
    if (const auto* f = req.query_param("fields")) global_fields = split_csv(*f);
    if (const auto* l = req.query_param("overallLimit")) s.limit = to_int(*l, "overallLimit");
    if (const auto* l = req.query_param("defaultLimit")) default_limit = to_int(*l, "defaultLimit");
    for (const auto& name : req.query_params("sobject")) {
      soql::Returning r;
      r.object = name;
      if (const auto* f = req.query_param(name + ".fields")) r.fields = split_csv(*f);
      if (const auto* w = req.query_param(name + ".where"); w && !w->empty()) r.where = soql::parse_condition(*w);
      if (const auto* o = req.query_param(name + ".orderBy"); o && !o->empty()) r.order_by = soql::parse_order_by(*o);
      if (const auto* l = req.query_param(name + ".limit")) r.limit = to_int(*l, "limit");
      s.returning.push_back(std::move(r));
    }
  }
  if (s.term.empty()) throw SfError(400, "MISSING_ARGUMENT", "Missing argument: q");
  for (auto& c : s.group) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (s.group != "ALL" && s.group != "NAME" && s.group != "EMAIL" && s.group != "PHONE" && s.group != "SIDEBAR")
    throw SfError(400, "INVALID_SEARCH", "Invalid value for parameter 'in': " + s.group);
  for (auto& r : s.returning) {
    if (r.fields.empty()) r.fields = global_fields;
    if (!r.limit) r.limit = default_limit;
  }
  if (s.returning.empty() && !global_fields.empty()) {
    // No sobject given: every searchable object, each returning the global fields.
    for (const auto& o : schema_.objects())
      if (o.searchable) s.returning.push_back(soql::Returning{o.name, global_fields, std::nullopt, {}, default_limit});
  }
  const Knobs knobs = ctx_.knobs.snapshot();
  auto rows = engine_.search(s, call.version, now_ms(), knobs.search_index_lag_s);
  boost::json::array records;
  for (auto& r : rows) records.push_back(std::move(r));
  return Response::json(200, boost::json::object{{"searchRecords", std::move(records)}});
}

} // namespace appconnect::crm_sandbox::salesforce
