// POST /crm/v3/objects/{type}/search.
// Sources:
//   request (PublicObjectSearchRequest: filterGroups, properties, sorts, query, limit <= 200, after) and
//   response (CollectionResponseWithTotalSimplePublicObject: total, results, paging.next.after), the Filter
//   schema and its operators:
//   https://github.com/HubSpot/HubSpot-public-api-spec-collection/blob/main/PublicApiSpecs/CRM/Contacts/Rollouts/424/v3/contacts.json
//   semantics (groups ORed, filters ANDed; default properties; unknown properties left out, unset ones null;
//   10,000 results per query): https://developers.hubspot.com/docs/api-reference/2026-03/crm/search-the-crm
//   limits (5 filterGroups, 10 filters per group, 25 filters in total since 2024-08-26):
//   https://developers.hubspot.com/changelog/breaking-change-expanded-filtering-capabilities-and-error-messaging-in-hubspots-search-api
// The 400 messages for broken limits are the emulator's wording (HubSpot's exact text is not documented).
// New records stay invisible to search for knob search_index_lag_s (HubSpot indexes asynchronously).
#include "hubspot/hubspot_emulator.hpp"
#include "hubspot/values.hpp"

#include "framework/json_util.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace appconnect::crm_sandbox::hubspot {

namespace {

constexpr std::size_t kMaxGroups = 5;
constexpr std::size_t kMaxFiltersPerGroup = 10;
constexpr std::size_t kMaxFilters = 25;
constexpr std::int64_t kMaxLimit = 200;
constexpr std::size_t kMaxResults = 10000;

const char* const kOperators[] = {"EQ",
                                  "NEQ",
                                  "LT",
                                  "LTE",
                                  "GT",
                                  "GTE",
                                  "BETWEEN",
                                  "IN",
                                  "NOT_IN",
                                  "HAS_PROPERTY",
                                  "NOT_HAS_PROPERTY",
                                  "CONTAINS_TOKEN",
                                  "NOT_CONTAINS_TOKEN"};

struct Filter {
  const PropertyDef* def = nullptr;
  std::string op;
  std::string value;
  std::string high;
  std::vector<std::string> values;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Lower-cased runs of letters and digits: what CONTAINS_TOKEN compares against.
std::vector<std::string> tokens(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) {
      current.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!current.empty()) {
      out.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

// '*' matches any run of characters.
bool glob(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::optional<double> numeric(const PropertyDef& def, const std::string& text) {
  if (def.type == PropType::kDateTime) {
    if (auto ms = datetime_ms(text)) return static_cast<double>(*ms);
    return std::nullopt;
  }
  if (def.type != PropType::kNumber) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(text.c_str(), &end);
  if (end == nullptr || *end != '\0' || text.empty()) return std::nullopt;
  return d;
}

// <0, 0, >0 comparing a stored value with a filter value in the property's own terms.
int compare(const PropertyDef& def, const std::string& stored, const std::string& wanted) {
  const auto a = numeric(def, stored);
  const auto b = numeric(def, wanted);
  if (a && b) return *a < *b ? -1 : (*a > *b ? 1 : 0);
  const auto la = lower(stored), lb = lower(wanted);
  return la < lb ? -1 : (la > lb ? 1 : 0);
}

bool contains_token(const std::string& stored, const std::string& pattern) {
  const auto have = tokens(stored);
  // Every word of the pattern must match one token of the value; '*' is a wildcard inside a word.
  std::vector<std::string> words;
  std::string current;
  for (char c : lower(pattern)) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '*' || static_cast<unsigned char>(c) >= 0x80) {
      current.push_back(c);
    } else if (!current.empty()) {
      words.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  if (words.empty()) return false;
  for (const auto& w : words)
    if (std::none_of(have.begin(), have.end(), [&](const std::string& t) { return glob(w, t); })) return false;
  return true;
}

bool matches(const Filter& f, const boost::json::object& properties) {
  const auto* v = properties.if_contains(f.def->name);
  const bool present = v && v->is_string() && !v->get_string().empty();
  const std::string stored = present ? std::string(v->get_string()) : std::string();
  const PropertyDef& def = *f.def;
  if (f.op == "HAS_PROPERTY") return present;
  if (f.op == "NOT_HAS_PROPERTY") return !present;
  if (f.op == "NEQ") return !present || compare(def, stored, f.value) != 0;
  if (f.op == "NOT_IN")
    return !present || std::none_of(f.values.begin(), f.values.end(),
                                    [&](const std::string& x) { return compare(def, stored, x) == 0; });
  if (f.op == "NOT_CONTAINS_TOKEN") return !present || !contains_token(stored, f.value);
  if (!present) return false;
  if (f.op == "EQ") return compare(def, stored, f.value) == 0;
  if (f.op == "LT") return compare(def, stored, f.value) < 0;
  if (f.op == "LTE") return compare(def, stored, f.value) <= 0;
  if (f.op == "GT") return compare(def, stored, f.value) > 0;
  if (f.op == "GTE") return compare(def, stored, f.value) >= 0;
  if (f.op == "BETWEEN") return compare(def, stored, f.value) >= 0 && compare(def, stored, f.high) <= 0;
  if (f.op == "IN")
    return std::any_of(f.values.begin(), f.values.end(),
                       [&](const std::string& x) { return compare(def, stored, x) == 0; });
  if (f.op == "CONTAINS_TOKEN") return contains_token(stored, f.value);
  return false;
}

HsError bad_search(const std::string& message) {
  return HsError(400, "VALIDATION_ERROR", message);
}

std::string text_of(const boost::json::value* v, const std::string& what) {
  if (!v || v->is_null()) return {};
  auto t = scalar_text(*v);
  if (!t) throw bad_search("Invalid input JSON: " + what + " must be a string");
  return *t;
}

} // namespace

Response HubSpotEmulator::search(ApiCall& call) {
  const ObjectType& object = object_or_throw(call.params["type"]);
  std::string parse_error;
  auto parsed = try_parse_json(call.request.body.empty() ? std::string_view("{}") : std::string_view(call.request.body),
                               &parse_error);
  if (!parsed) throw bad_search("Invalid input JSON on line 1, column 1: " + parse_error);
  if (!parsed->is_object()) throw bad_search("Invalid input JSON: expected an object");
  const auto& body = parsed->as_object();

  // filterGroups: ORed; the filters of a group: ANDed.
  std::vector<std::vector<Filter>> groups;
  if (const auto* fg = body.if_contains("filterGroups"); fg && !fg->is_null()) {
    if (!fg->is_array()) throw bad_search("Invalid input JSON: filterGroups must be an array");
    const auto& list = fg->as_array();
    if (list.size() > kMaxGroups)
      throw bad_search("Too many filter groups: " + std::to_string(list.size()) + " were provided, the maximum is " +
                       std::to_string(kMaxGroups) + ".");
    std::size_t total = 0;
    for (const auto& g : list) {
      const auto* filters = g.is_object() ? g.as_object().if_contains("filters") : nullptr;
      if (!filters || !filters->is_array()) throw bad_search("Invalid input JSON: a filter group needs \"filters\"");
      if (filters->as_array().size() > kMaxFiltersPerGroup)
        throw bad_search("Too many filters in a filter group: " + std::to_string(filters->as_array().size()) +
                         " were provided, the maximum is " + std::to_string(kMaxFiltersPerGroup) + ".");
      total += filters->as_array().size();
      if (total > kMaxFilters)
        throw bad_search("Too many filters: more than " + std::to_string(kMaxFilters) +
                         " filters were provided across all filter groups.");
      std::vector<Filter> group;
      for (const auto& fv : filters->as_array()) {
        if (!fv.is_object()) throw bad_search("Invalid input JSON: filters are objects");
        const auto& fo = fv.as_object();
        Filter f;
        const std::string name = text_of(fo.if_contains("propertyName"), "propertyName");
        f.op = text_of(fo.if_contains("operator"), "operator");
        if (f.op.empty()) f.op = "EQ";
        if (std::none_of(std::begin(kOperators), std::end(kOperators), [&](const char* o) { return f.op == o; }))
          throw bad_search("Invalid operator: " + f.op);
        f.def = object.property(name);
        if (!f.def)
          throw HsError(400, "VALIDATION_ERROR", "There was a problem with the request.",
                        boost::json::object{{"errors", boost::json::array{boost::json::object{
                                                           {"message", "Property \"" + name + "\" does not exist"},
                                                           {"code", "PROPERTY_DOESNT_EXIST"}}}}});
        f.value = text_of(fo.if_contains("value"), "value");
        f.high = text_of(fo.if_contains("highValue"), "highValue");
        if (const auto* values = fo.if_contains("values"); values && values->is_array())
          for (const auto& x : values->as_array()) f.values.push_back(text_of(&x, "values"));
        if ((f.op == "IN" || f.op == "NOT_IN") && f.values.empty())
          throw bad_search("Operator " + f.op + " needs \"values\"");
        group.push_back(std::move(f));
      }
      groups.push_back(std::move(group));
    }
  }

  std::vector<std::string> wanted;
  if (const auto* props = body.if_contains("properties"); props && props->is_array())
    for (const auto& p : props->as_array())
      if (p.is_string()) wanted.emplace_back(p.get_string());

  // One sort: {"propertyName", "direction"} (or, per the spec's typing, a property name, "-" for descending).
  const PropertyDef* sort_by = nullptr;
  bool descending = false;
  if (const auto* sorts = body.if_contains("sorts"); sorts && sorts->is_array() && !sorts->as_array().empty()) {
    if (sorts->as_array().size() > 1) throw bad_search("Only one sort is supported.");
    const auto& s = sorts->as_array()[0];
    std::string name;
    if (s.is_string()) {
      name = std::string(s.get_string());
      if (!name.empty() && name.front() == '-') {
        descending = true;
        name.erase(0, 1);
      }
    } else if (s.is_object()) {
      name = text_of(s.as_object().if_contains("propertyName"), "sorts.propertyName");
      const std::string direction = text_of(s.as_object().if_contains("direction"), "sorts.direction");
      if (!direction.empty() && direction != "ASCENDING" && direction != "DESCENDING")
        throw bad_search("Invalid sort direction: " + direction);
      descending = direction == "DESCENDING";
    }
    sort_by = object.property(name);
    if (!sort_by) throw bad_search("Property \"" + name + "\" does not exist");
  }

  std::int64_t limit = 10;
  if (const auto* l = body.if_contains("limit"); l && !l->is_null()) {
    auto n = as_number(*l);
    if (!n && l->is_string() && all_digits(l->get_string())) n = std::stod(std::string(l->get_string()));
    if (!n || *n < 0) throw bad_search("Invalid input JSON: limit must be a number");
    limit = static_cast<std::int64_t>(*n);
  }
  if (limit > kMaxLimit)
    throw bad_search("limit must be less than or equal to " + std::to_string(kMaxLimit) + ", was " +
                     std::to_string(limit));
  std::size_t offset = 0;
  if (const auto* a = body.if_contains("after"); a && !a->is_null()) {
    const std::string after = text_of(a, "after");
    if (!after.empty()) {
      if (!all_digits(after)) throw bad_search("Invalid paging cursor: " + after);
      offset = static_cast<std::size_t>(std::stoull(after));
    }
  }
  if (offset + static_cast<std::size_t>(limit) > kMaxResults)
    throw bad_search("The search cannot page beyond " + std::to_string(kMaxResults) + " results.");
  std::vector<std::string> query_terms;
  if (const auto* q = body.if_contains("query"); q && q->is_string())
    for (std::string_view rest = q->get_string(); !rest.empty();) {
      const auto space = rest.find(' ');
      if (space != 0) query_terms.push_back(lower(rest.substr(0, space)));
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }

  const auto lag_ms = static_cast<std::int64_t>(ctx_.knobs.snapshot().search_index_lag_s * 1000.0);
  const std::int64_t now = now_ms();
  std::vector<Record> hits;
  ctx_.store.scan(object.name, [&](const Record& r) {
    if (json_bool(r.fields, "archived", false)) return true;
    // The index lag: a record the API created less than lag_ms ago is not in the search index yet.
    if (!r.preexisting && lag_ms > 0 && now - r.created_ms < lag_ms) return true;
    const auto* pv = r.fields.if_contains("properties");
    if (!pv || !pv->is_object()) return true;
    const auto& props = pv->as_object();
    if (!groups.empty() && std::none_of(groups.begin(), groups.end(), [&](const std::vector<Filter>& g) {
          return std::all_of(g.begin(), g.end(), [&](const Filter& f) { return matches(f, props); });
        }))
      return true;
    for (const auto& term : query_terms) {
      bool found = false;
      for (const auto& name : object.text_properties)
        if (const auto* v = props.if_contains(name);
            v && v->is_string() && lower(v->get_string()).find(term) != std::string::npos)
          found = true;
      if (!found) return true;
    }
    hits.push_back(r);
    return true;
  });

  auto id_less = [](const Record& a, const Record& b) {
    return a.id.size() != b.id.size() ? a.id.size() < b.id.size() : a.id < b.id;
  };
  if (sort_by) {
    std::stable_sort(hits.begin(), hits.end(), [&](const Record& a, const Record& b) {
      const auto& pa = a.fields.at("properties").as_object();
      const auto& pb = b.fields.at("properties").as_object();
      const auto* va = pa.if_contains(sort_by->name);
      const auto* vb = pb.if_contains(sort_by->name);
      const bool ha = va && va->is_string(), hb = vb && vb->is_string();
      if (ha != hb) return ha; // unset values last
      if (!ha) return id_less(a, b);
      const int c = compare(*sort_by, std::string(va->get_string()), std::string(vb->get_string()));
      if (c != 0) return descending ? c > 0 : c < 0;
      return id_less(a, b);
    });
  } else {
    std::stable_sort(hits.begin(), hits.end(), id_less);
  }

  boost::json::array results;
  const std::size_t end = std::min(hits.size(), offset + static_cast<std::size_t>(limit));
  for (std::size_t i = offset; i < end; ++i) results.push_back(render(object, hits[i], &wanted));
  boost::json::object out{{"total", static_cast<std::int64_t>(hits.size())}, {"results", std::move(results)}};
  if (limit > 0 && end < hits.size() && end < kMaxResults)
    out["paging"] = boost::json::object{{"next", boost::json::object{{"after", std::to_string(end)}}}};
  return Response::json(200, out);
}

} // namespace appconnect::crm_sandbox::hubspot
