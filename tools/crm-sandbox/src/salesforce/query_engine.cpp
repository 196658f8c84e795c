#include "salesforce/query_engine.hpp"

#include "salesforce/errors.hpp"
#include "salesforce/ids.hpp"

#include "framework/http_types.hpp"
#include "framework/json_util.hpp"

#include <appconnect/time.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace appconnect::crm_sandbox::salesforce {

std::string phone_digits(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c >= '0' && c <= '9') out.push_back(c);
  return out;
}

bool phone_digits_match(std::string_view stored, std::string_view searched) {
  if (stored.empty() || searched.empty()) return false;
  if (stored == searched) return true;
  if (stored.size() == searched.size() + 1 && stored.front() == '1' && stored.substr(1) == searched) return true;
  if (searched.size() == stored.size() + 1 && searched.front() == '1' && searched.substr(1) == stored) return true;
  return false;
}

std::string sf_datetime(std::int64_t unix_ms) {
  std::string s = sdk::time::format_iso8601_utc(unix_ms, true);
  s.pop_back(); // 'Z'
  return s + "+0000";
}

namespace {

const std::string kNoSuchColumnTail =
    ". If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. "
    "Please reference your WSDL or the describe call for the appropriate names.";

std::string lower(std::string_view s) {
  return to_lower(s);
}

// SOQL LIKE: % any run, _ one character, backslash-escaped wildcards literal; case-insensitive.
bool like_match(std::string_view text, std::string_view pattern) {
  // Iterative wildcard match with backtracking to the last %.
  std::size_t t = 0, p = 0, star_p = std::string_view::npos, star_t = 0;
  auto lc = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '\\' && p + 1 < pattern.size()) {
      if (lc(pattern[p + 1]) == lc(text[t])) {
        p += 2;
        ++t;
        continue;
      }
    } else if (p < pattern.size() && pattern[p] == '%') {
      star_p = p++;
      star_t = t;
      continue;
    } else if (p < pattern.size() && (pattern[p] == '_' || lc(pattern[p]) == lc(text[t]))) {
      ++p;
      ++t;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

std::optional<std::int64_t> as_ms(const boost::json::value& v) {
  if (!v.is_string()) return std::nullopt;
  return sdk::time::parse_iso8601_ms(v.get_string());
}

std::string as_text(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (as_number(v)) return boost::json::serialize(v);
  return {};
}

// Orders a stored value against a literal: <0, 0, >0, or nullopt when they cannot be compared.
std::optional<int> compare_to_literal(const boost::json::value& v, const soql::Literal& lit) {
  using K = soql::Literal::Kind;
  auto sign = [](auto a, auto b) { return a < b ? -1 : (b < a ? 1 : 0); };
  switch (lit.kind) {
    case K::kString: {
      if (auto n = as_number(v)) {
        try {
          return sign(*n, std::stod(lit.text));
        } catch (const std::exception&) {
          return std::nullopt;
        }
      }
      const std::string a = lower(as_text(v));
      const std::string b = lower(lit.text);
      return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
    }
    case K::kNumber: {
      auto n = as_number(v);
      if (!n && v.is_string()) {
        try {
          n = std::stod(std::string(v.get_string()));
        } catch (const std::exception&) {
          return std::nullopt;
        }
      }
      if (!n) return std::nullopt;
      return sign(*n, lit.number);
    }
    case K::kBoolean:
      if (v.is_bool()) return sign(static_cast<int>(v.get_bool()), static_cast<int>(lit.boolean));
      return std::nullopt;
    case K::kDate:
    case K::kDateTime: {
      auto ms = as_ms(v);
      if (!ms) return std::nullopt;
      return sign(*ms, lit.ms);
    }
    case K::kNull:
      return std::nullopt;
  }
  return std::nullopt;
}

bool compare_op(const boost::json::value& v, const std::string& op, const soql::Literal& lit) {
  if (lit.kind == soql::Literal::Kind::kNull) {
    if (op == "=") return v.is_null();
    if (op == "!=") return !v.is_null();
    return false;
  }
  if (v.is_null()) return op == "!=";
  auto c = compare_to_literal(v, lit);
  if (!c) return op == "!=";
  if (op == "=") return *c == 0;
  if (op == "!=") return *c != 0;
  if (op == "<") return *c < 0;
  if (op == "<=") return *c <= 0;
  if (op == ">") return *c > 0;
  if (op == ">=") return *c >= 0;
  return false;
}

// Total order for ORDER BY over values of one field.
int compare_values(const boost::json::value& a, const boost::json::value& b) {
  auto na = as_number(a), nb = as_number(b);
  if (na && nb) return *na < *nb ? -1 : (*nb < *na ? 1 : 0);
  if (a.is_bool() && b.is_bool()) return static_cast<int>(a.get_bool()) - static_cast<int>(b.get_bool());
  const std::string sa = lower(as_text(a)), sb = lower(as_text(b));
  return sa < sb ? -1 : (sb < sa ? 1 : 0);
}

// Lower-case alphanumeric words of a text value, for SOSL text matching.
std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      current.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!current.empty()) {
      out.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

// The search term of a SOSL FIND or a parameterizedSearch q, prepared once per search.
struct TermMatcher {
  std::string digits;
  bool phone_like = false; // digits and phone punctuation only: matched against phone fields in ALL FIELDS
  struct Word {
    std::string text;
    bool prefix = false; // trailing * wildcard
  };
  std::vector<Word> words;

  explicit TermMatcher(std::string_view term) {
    digits = phone_digits(term);
    bool letters = false;
    for (char c : term)
      if (std::isalpha(static_cast<unsigned char>(c))) letters = true;
    phone_like = !digits.empty() && !letters;
    std::string current;
    auto flush = [&](bool star) {
      if (!current.empty()) {
        // Boolean operators inside the term are accepted but not evaluated: all words must match.
        if (current != "and" && current != "or" && current != "not") words.push_back({current, star});
        current.clear();
      }
    };
    for (char c : term) {
      if (std::isalnum(static_cast<unsigned char>(c)))
        current.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      else
        flush(c == '*');
    }
    flush(false);
  }

  bool phone_matches(const ObjectDef& object, const Record& record) const {
    for (const auto& f : object.fields) {
      if (f.type != FieldType::kPhone) continue;
      const auto* v = record.fields.if_contains(f.name);
      if (v && v->is_string() && phone_digits_match(phone_digits(v->get_string()), digits)) return true;
    }
    return false;
  }

  template <typename Pred>
  bool words_match(const ObjectDef& object, const Record& record, Pred include_field) const {
    if (words.empty()) return false;
    std::vector<std::string> haystack;
    for (const auto& f : object.fields) {
      if (!include_field(f)) continue;
      const auto* v = record.fields.if_contains(f.name);
      if (!v || !v->is_string()) continue;
      for (auto& w : crm_sandbox::salesforce::words(v->get_string())) haystack.push_back(std::move(w));
    }
    for (const auto& w : words) {
      const bool found = std::any_of(haystack.begin(), haystack.end(), [&](const std::string& h) {
        return w.prefix ? h.rfind(w.text, 0) == 0 : h == w.text;
      });
      if (!found) return false;
    }
    return true;
  }

  bool matches(const ObjectDef& object, const Record& record, const std::string& group) const {
    if (group == "PHONE") return phone_matches(object, record);
    if (group == "EMAIL")
      return words_match(object, record, [](const FieldDef& f) { return f.type == FieldType::kEmail; });
    if (group == "NAME") return words_match(object, record, [](const FieldDef& f) { return f.name_field; });
    // ALL and SIDEBAR: a phone-looking term matches phone fields; words match any text field.
    if (phone_like && phone_matches(object, record)) return true;
    return words_match(object, record,
                       [](const FieldDef& f) { return is_text(f.type) && f.type != FieldType::kPhone; });
  }
};

} // namespace

const ObjectDef& QueryEngine::bind_object(std::string_view name) const {
  const ObjectDef* object = schema_.object(name);
  if (!object)
    throw SfError(
        400, "INVALID_TYPE",
        "sObject type '" + std::string(name) +
            "' is not supported. If you are attempting to use a custom object, be sure to append the '__c' "
            "after the entity name. Please reference your WSDL or the describe call for the appropriate names.");
  return *object;
}

PathInfo QueryEngine::bind_path(const ObjectDef& object, std::string_view path) const {
  PathInfo info;
  const auto dot = path.find('.');
  if (dot == std::string_view::npos) {
    info.field = object.field(path);
    if (!info.field)
      throw SfError(400, "INVALID_FIELD",
                    "No such column '" + std::string(path) + "' on entity '" + object.name + "'" + kNoSuchColumnTail);
    info.leaf = info.field;
    info.canonical = info.field->name;
    return info;
  }
  const std::string_view rel = path.substr(0, dot);
  const std::string_view sub = path.substr(dot + 1);
  info.field = object.relationship(rel);
  if (!info.field)
    throw SfError(400, "INVALID_FIELD",
                  "Didn't understand relationship '" + std::string(rel) +
                      "' in field path. If you are attempting to use a custom relationship, be sure to append the "
                      "'__r' after the custom relationship name. Please reference your WSDL or the describe call for "
                      "the appropriate names.");
  if (sub.find('.') != std::string_view::npos)
    throw SfError(400, "INVALID_FIELD",
                  "Field path '" + std::string(path) +
                      "' goes more than one relationship deep, which the AppConnect sandbox does not support");
  std::string target_name;
  for (const auto& target : info.field->reference_to) {
    const ObjectDef* t = schema_.object(target);
    if (!t) continue;
    if (target_name.empty()) target_name = t->name;
    if (const FieldDef* leaf = t->field(sub)) {
      info.leaf = leaf;
      break;
    }
  }
  if (!info.leaf)
    throw SfError(400, "INVALID_FIELD",
                  "No such column '" + std::string(sub) + "' on entity '" +
                      (target_name.empty() ? info.field->reference_to.front() : target_name) + "'" + kNoSuchColumnTail);
  info.sub = info.leaf->name;
  info.canonical = info.field->relationship_name + "." + info.sub;
  return info;
}

std::vector<PathInfo> QueryEngine::bind_fields(const ObjectDef& object, const std::vector<std::string>& fields) const {
  std::vector<PathInfo> out;
  for (const auto& f : fields) {
    PathInfo p = bind_path(object, f);
    // Salesforce returns a field once even when it is selected twice.
    if (std::none_of(out.begin(), out.end(), [&](const PathInfo& q) { return q.canonical == p.canonical; }))
      out.push_back(std::move(p));
  }
  return out;
}

void QueryEngine::bind_expr(Bound& bound, soql::Expr& expr) const {
  using K = soql::Expr::Kind;
  if (expr.kind == K::kAnd || expr.kind == K::kOr || expr.kind == K::kNot) {
    for (auto& child : expr.children) bind_expr(bound, child);
    return;
  }
  PathInfo path = bind_path(*bound.object, expr.field);
  if (path.relationship()) bound.where_needs_lookup = true;
  // Ids compare in their 18-character form, so a 15-character literal finds the record.
  if (path.leaf->type == FieldType::kId || path.leaf->type == FieldType::kReference) {
    for (auto& lit : expr.values) {
      if (lit.kind != soql::Literal::Kind::kString || expr.kind == K::kLike) continue;
      auto id = normalize_id(lit.text);
      if (!id) throw SfError(400, "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: " + lit.text);
      lit.text = *id;
    }
  }
  expr.field = path.canonical;
  bound.paths.emplace(path.canonical, std::move(path));
}

void QueryEngine::bind_order(Bound& bound, std::vector<soql::OrderItem>& order) const {
  for (auto& item : order) {
    PathInfo path = bind_path(*bound.object, item.field);
    item.field = path.canonical;
    bound.paths.emplace(path.canonical, std::move(path));
  }
  bound.order = order;
}

boost::json::value QueryEngine::value_at(const Record& record, const PathInfo& path) const {
  const auto* v = record.fields.if_contains(path.field->name);
  if (!path.relationship()) return v ? *v : boost::json::value(nullptr);
  if (!v || !v->is_string()) return nullptr;
  const ObjectDef* target = schema_.object_for_id(v->get_string());
  if (!target) return nullptr;
  auto related = store_.get(target->name, v->get_string());
  if (!related) return nullptr;
  const auto* leaf = related->fields.if_contains(path.sub);
  return leaf ? *leaf : boost::json::value(nullptr);
}

bool QueryEngine::eval(const soql::Expr& expr, const Record& record, const Bound& bound) const {
  using K = soql::Expr::Kind;
  switch (expr.kind) {
    case K::kAnd:
      return std::all_of(expr.children.begin(), expr.children.end(),
                         [&](const soql::Expr& c) { return eval(c, record, bound); });
    case K::kOr:
      return std::any_of(expr.children.begin(), expr.children.end(),
                         [&](const soql::Expr& c) { return eval(c, record, bound); });
    case K::kNot:
      return !eval(expr.children.front(), record, bound);
    default:
      break;
  }
  const PathInfo& path = bound.paths.at(expr.field);
  boost::json::value scratch;
  const boost::json::value* v = nullptr;
  if (path.relationship()) {
    scratch = value_at(record, path);
    v = &scratch;
  } else {
    v = record.fields.if_contains(path.field->name);
    if (!v) v = &scratch; // null
  }
  switch (expr.kind) {
    case K::kCompare:
      return compare_op(*v, expr.op, expr.values.front());
    case K::kIn:
      return std::any_of(expr.values.begin(), expr.values.end(),
                         [&](const soql::Literal& l) { return compare_op(*v, "=", l); });
    case K::kNotIn:
      return std::none_of(expr.values.begin(), expr.values.end(),
                          [&](const soql::Literal& l) { return compare_op(*v, "=", l); });
    case K::kLike:
      return v->is_string() && like_match(v->get_string(), expr.values.front().text);
    default:
      return false;
  }
}

void QueryEngine::sort(std::vector<Record>& records, const Bound& bound) const {
  if (bound.order.empty()) return; // insertion order, like Salesforce's unspecified-but-stable order
  // Resolve sort keys once: relationship lookups are not free.
  std::vector<std::pair<std::vector<boost::json::value>, std::size_t>> keys;
  keys.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    std::vector<boost::json::value> k;
    for (const auto& item : bound.order) k.push_back(value_at(records[i], bound.paths.at(item.field)));
    keys.emplace_back(std::move(k), i);
  }
  std::stable_sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
    for (std::size_t i = 0; i < bound.order.size(); ++i) {
      const auto& item = bound.order[i];
      const auto& va = a.first[i];
      const auto& vb = b.first[i];
      if (va.is_null() != vb.is_null()) return va.is_null() != item.nulls_last;
      if (va.is_null()) continue;
      const int c = compare_values(va, vb);
      if (c != 0) return item.descending ? c > 0 : c < 0;
    }
    return false;
  });
  std::vector<Record> sorted;
  sorted.reserve(records.size());
  for (auto& k : keys) sorted.push_back(std::move(records[k.second]));
  records = std::move(sorted);
}

boost::json::object QueryEngine::project(const ObjectDef& object, const Record& record,
                                         const std::vector<PathInfo>& fields, std::string_view version) const {
  boost::json::object row;
  row["attributes"] = {
      {"type", object.name},
      {"url", "/services/data/v" + std::string(version) + "/sobjects/" + object.name + "/" + record.id}};
  if (fields.empty()) {
    for (const auto& f : object.fields) {
      const auto* v = record.fields.if_contains(f.name);
      row[f.name] = v ? *v : boost::json::value(nullptr);
    }
    return row;
  }
  for (const auto& p : fields) {
    if (!p.relationship()) {
      const auto* v = record.fields.if_contains(p.field->name);
      row[p.field->name] = v ? *v : boost::json::value(nullptr);
      continue;
    }
    // Relationship fields nest under the relationship name with the related record's attributes.
    const std::string& rel = p.field->relationship_name;
    const auto* ref = record.fields.if_contains(p.field->name);
    const ObjectDef* target = ref && ref->is_string() ? schema_.object_for_id(ref->get_string()) : nullptr;
    std::optional<Record> related = target ? store_.get(target->name, ref->get_string()) : std::nullopt;
    if (!related) {
      if (!row.contains(rel)) row[rel] = nullptr;
      continue;
    }
    auto* nested = row.if_contains(rel);
    if (!nested || !nested->is_object()) {
      row[rel] = boost::json::object{
          {"attributes",
           {{"type", target->name},
            {"url", "/services/data/v" + std::string(version) + "/sobjects/" + target->name + "/" + related->id}}}};
      nested = row.if_contains(rel);
    }
    const auto* leaf = related->fields.if_contains(p.sub);
    nested->as_object()[p.sub] = leaf ? *leaf : boost::json::value(nullptr);
  }
  return row;
}

QueryEngine::QueryResult QueryEngine::query(soql::Select& select, std::string_view version) const {
  Bound bound;
  bound.object = &bind_object(select.object);
  const ObjectDef& object = *bound.object;
  if (!select.fields_macro.empty()) {
    if (select.fields_macro != "STANDARD" && (!select.limit || *select.limit > 200))
      throw SfError(400, "MALFORMED_QUERY", "The SOQL FIELDS function must have a LIMIT of at most 200");
    for (const auto& f : object.fields)
      if (select.fields_macro == "ALL" || (select.fields_macro == "CUSTOM") == f.custom)
        bound.select.push_back(bind_path(object, f.name));
  } else if (!select.count_only) {
    bound.select = bind_fields(object, select.fields);
  }
  if (select.where) {
    bind_expr(bound, *select.where);
    bound.where = &*select.where;
  }
  bind_order(bound, select.order_by);
  if (select.offset && *select.offset > 2000)
    throw SfError(400, "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000");

  // Filter under the store's read lock unless the filter itself must read related records.
  std::vector<Record> matches;
  if (bound.where_needs_lookup) {
    for (auto& r : store_.list(object.name))
      if (eval(*bound.where, r, bound)) matches.push_back(std::move(r));
  } else {
    store_.scan(object.name, [&](const Record& r) {
      if (!bound.where || eval(*bound.where, r, bound)) matches.push_back(r);
      return true;
    });
  }
  sort(matches, bound);

  const std::size_t offset = select.offset ? static_cast<std::size_t>(*select.offset) : 0;
  std::size_t end = matches.size();
  if (select.limit) end = std::min(end, offset + static_cast<std::size_t>(*select.limit));
  QueryResult result;
  if (select.count_only) {
    result.total = end > offset ? end - offset : 0;
    return result;
  }
  for (std::size_t i = offset; i < end; ++i) result.rows.push_back(project(object, matches[i], bound.select, version));
  result.total = result.rows.size();
  return result;
}

std::vector<boost::json::object> QueryEngine::search(soql::Search& search, std::string_view version,
                                                     std::int64_t now_ms, double lag_s) const {
  std::string trimmed;
  for (char c : search.term)
    if (!std::isspace(static_cast<unsigned char>(c)) && c != '*' && c != '"') trimmed.push_back(c);
  if (trimmed.size() < 2)
    throw SfError(400, "INVALID_SEARCH", "search term must be longer than one character: " + search.term);
  const TermMatcher matcher(search.term);

  if (search.returning.empty())
    for (const auto& o : schema_.objects())
      if (o.searchable) search.returning.push_back(soql::Returning{o.name, {}, std::nullopt, {}, std::nullopt});

  const std::size_t overall = search.limit ? static_cast<std::size_t>(*search.limit) : 2000;
  const auto lag_ms = static_cast<std::int64_t>(lag_s * 1000.0);
  std::vector<boost::json::object> out;
  for (auto& ret : search.returning) {
    Bound bound;
    bound.object = &bind_object(ret.object);
    const ObjectDef& object = *bound.object;
    bound.select =
        ret.fields.empty() ? std::vector<PathInfo>{bind_path(object, "Id")} : bind_fields(object, ret.fields);
    if (ret.where) {
      bind_expr(bound, *ret.where);
      bound.where = &*ret.where;
    }
    bind_order(bound, ret.order_by);

    std::vector<Record> matches;
    auto consider = [&](const Record& r) {
      // The index lag: a record the API created less than lag_s ago is not in the search index yet.
      if (!r.preexisting && lag_ms > 0 && now_ms - r.created_ms < lag_ms) return false;
      return matcher.matches(object, r, search.group);
    };
    if (bound.where_needs_lookup) {
      for (auto& r : store_.list(object.name))
        if (consider(r) && eval(*bound.where, r, bound)) matches.push_back(std::move(r));
    } else {
      store_.scan(object.name, [&](const Record& r) {
        if (consider(r) && (!bound.where || eval(*bound.where, r, bound))) matches.push_back(r);
        return true;
      });
    }
    sort(matches, bound);
    std::size_t n = matches.size();
    if (ret.limit) n = std::min(n, static_cast<std::size_t>(*ret.limit));
    for (std::size_t i = 0; i < n && out.size() < overall; ++i)
      out.push_back(project(object, matches[i], bound.select, version));
  }
  return out;
}

} // namespace appconnect::crm_sandbox::salesforce
