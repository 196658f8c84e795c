// GET /crm/{version}/{module}/search: one of criteria, email, phone or word (in that order of preference),
// page/per_page (<= 200), converted (Leads), fields; 200 {"data":[...],"info":{per_page,count,page,
// more_records}}, and 204 with an empty body when nothing matches.
//   https://www.zoho.com/crm/developer/docs/api/v2/search-records.html
//   https://www.zoho.com/crm/developer/docs/api/v4/search-records.html (operators added in v4)
//   https://help.zoho.com/portal/en/community/topic/kaizen-30-parameters-in-zoho-crm-apis-part-2-2
// Criteria: ((api_name:operator:value)and/or(...)), at most 10 conditions; "(", ")" and "," inside a value are
// escaped with a backslash, then the whole value is URL-encoded. With several conditions, "equals" on a text
// field also matches longer values that start with the word ("ABC" finds "ABC Inc"), as documented.
// The phone parameter searches every phone-type field. How Zoho compares formats there is not documented;
// the sandbox compares digits only (stored "(415) 555-0132" matches phone=4155550132 and phone=14155550132),
// see docs/connectors/zoho.md. Criteria "equals" on a phone field compares the stored text exactly.
#include "zoho/zoho_emulator.hpp"

#include "framework/json_util.hpp"

#include <algorithm>
#include <memory>

namespace appconnect::crm_sandbox::zoho {

namespace {

constexpr std::size_t kMaxConditions = 10;
constexpr std::size_t kMaxSearchResults = 2000;

struct Condition {
  std::string field;
  std::string op;
  std::vector<std::string> values; // "in" and "between" take several, comma-separated
};

struct Node {
  enum class Kind { kLeaf, kAnd, kOr } kind = Kind::kLeaf;
  Condition condition;
  std::unique_ptr<Node> left, right;
};

ZohoError query_error(const std::string& reason, boost::json::object details = {}) {
  details["reason"] = reason;
  return ZohoError(400, "INVALID_QUERY", kInvalidQueryMessage, std::move(details));
}

class CriteriaParser {
 public:
  explicit CriteriaParser(std::string_view text) : s_(text) {}

  std::unique_ptr<Node> parse() {
    auto node = expression();
    if (pos_ != s_.size()) throw query_error("unexpected text after the criteria at position " + std::to_string(pos_));
    return node;
  }
  std::size_t conditions() const { return conditions_; }

 private:
  std::unique_ptr<Node> expression() {
    auto left = group();
    for (;;) {
      Node::Kind kind;
      if (match_word("and"))
        kind = Node::Kind::kAnd;
      else if (match_word("or"))
        kind = Node::Kind::kOr;
      else
        return left;
      auto node = std::make_unique<Node>();
      node->kind = kind;
      node->left = std::move(left);
      node->right = group();
      left = std::move(node);
    }
  }

  std::unique_ptr<Node> group() {
    if (pos_ >= s_.size() || s_[pos_] != '(') throw query_error("expected '(' at position " + std::to_string(pos_));
    ++pos_;
    std::unique_ptr<Node> node;
    if (pos_ < s_.size() && s_[pos_] == '(') {
      node = expression();
    } else {
      node = std::make_unique<Node>();
      node->condition = condition();
    }
    if (pos_ >= s_.size() || s_[pos_] != ')') throw query_error("expected ')' at position " + std::to_string(pos_));
    ++pos_;
    return node;
  }

  // api_name:operator:value, value up to the unescaped ')'.
  Condition condition() {
    Condition c;
    std::string part;
    int colons = 0;
    for (; pos_ < s_.size(); ++pos_) {
      const char ch = s_[pos_];
      if (ch == '\\' && pos_ + 1 < s_.size()) {
        part.push_back(s_[++pos_]);
        continue;
      }
      if (ch == ')') break;
      if (ch == ':' && colons < 2) {
        (colons == 0 ? c.field : c.op) = part;
        part.clear();
        ++colons;
        continue;
      }
      if (ch == ',' && colons == 2) {
        c.values.push_back(std::move(part));
        part.clear();
        continue;
      }
      // Brackets inside a value must be escaped (Zoho's parser would end the condition there).
      if (ch == '(') throw query_error("unescaped '(' in a criteria value");
      part.push_back(ch);
    }
    if (colons < 2) throw query_error("a condition must be (api_name:operator:value)");
    c.values.push_back(std::move(part));
    ++conditions_;
    return c;
  }

  bool match_word(std::string_view word) {
    if (s_.size() - pos_ < word.size() + 1 || !iequals(s_.substr(pos_, word.size()), word) ||
        s_[pos_ + word.size()] != '(')
      return false;
    pos_ += word.size();
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::size_t conditions_ = 0;
};

std::string trimmed_lower(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return to_lower(s);
}

// The stored value as text for comparisons ("" for null).
std::string text_of(const boost::json::object& fields, const std::string& key) {
  const auto* v = fields.if_contains(key);
  if (!v || v->is_null()) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_bool()) return v->get_bool() ? "true" : "false";
  return boost::json::serialize(*v);
}

bool phone_digits_match(std::string_view stored, const std::string& query_digits) {
  const std::string d = digits_of(stored);
  if (d.empty() || query_digits.empty()) return false;
  if (d == query_digits) return true;
  // One spelling may carry the country code and the other not: compare the national tail.
  const std::string& shorter = d.size() < query_digits.size() ? d : query_digits;
  const std::string& longer = d.size() < query_digits.size() ? query_digits : d;
  return shorter.size() >= 7 && longer.compare(longer.size() - shorter.size(), shorter.size(), shorter) == 0;
}

} // namespace

Response ZohoEmulator::search(ApiCall& call) {
  const ModuleDef& module = module_or_error(call.params["module"]);
  if (!module.searchable) throw ZohoError(400, "INVALID_MODULE", kInvalidModuleMessage, {{"resource_path_index", 0}});
  const auto [page, per_page] = paging(call.request);
  const auto fields = fields_param(call.request);
  const Request& q = call.request;

  std::function<bool(const Record&)> matches;
  std::unique_ptr<Node> tree;
  if (const auto* criteria = q.query_param("criteria")) {
    CriteriaParser parser(*criteria);
    tree = parser.parse();
    if (parser.conditions() > kMaxConditions)
      throw query_error("at most " + std::to_string(kMaxConditions) + " conditions are allowed");
    const bool several = parser.conditions() > 1;
    // Bind and check every condition before scanning.
    std::function<void(const Node&)> check = [&](const Node& n) {
      if (n.kind != Node::Kind::kLeaf) {
        check(*n.left);
        check(*n.right);
        return;
      }
      const auto& c = n.condition;
      const FieldDef* f = module.field(c.field);
      if (!f) throw query_error("the field is not available for search", {{"api_name", c.field}});
      static const std::vector<std::string> kV2 = {"equals", "starts_with"};
      static const std::vector<std::string> kV4 = {"equals",    "starts_with",  "in",
                                                   "not_equal", "greater_than", "greater_equal",
                                                   "less_than", "less_equal",   "between"};
      const auto& ops = call.version >= 4 ? kV4 : kV2;
      if (std::find(ops.begin(), ops.end(), c.op) == ops.end())
        throw query_error("invalid operator found", {{"api_name", c.field}, {"operator", c.op}});
      if (c.op != "in" && c.op != "between" && c.values.size() > 1)
        throw query_error("unescaped ',' in a criteria value", {{"api_name", c.field}});
      if (c.op == "between" && c.values.size() != 2)
        throw query_error("between takes two values", {{"api_name", c.field}, {"operator", c.op}});
    };
    check(*tree);
    auto leaf = [this, &module, several](const Condition& c, const Record& r) {
      const FieldDef* f = module.field(c.field);
      const std::string stored = text_of(r.fields, c.field);
      auto equals = [&](const std::string& value) {
        if (f->type == FieldType::kDateTime) {
          const auto a = parse_zoho_time(stored), b = parse_zoho_time(value);
          return a && b && *a == *b;
        }
        if (!is_text(f->type)) return stored == value;
        const std::string s = trimmed_lower(stored), v = trimmed_lower(value);
        if (s == v) return true;
        // Documented quirk: with several conditions, equals on a text field matches "ABC Inc" for "ABC".
        const bool word_field =
            f->type == FieldType::kText || f->type == FieldType::kTextArea || f->type == FieldType::kPicklist;
        return several && word_field && !v.empty() && s.size() > v.size() && s.compare(0, v.size(), v) == 0 &&
               s[v.size()] == ' ';
      };
      auto compare = [&](const std::string& value) -> int { // <0, 0, >0 like strcmp
        if (f->type == FieldType::kDateTime) {
          const auto a = parse_zoho_time(stored), b = parse_zoho_time(value);
          if (!a || !b) return 0;
          return *a < *b ? -1 : (*a > *b ? 1 : 0);
        }
        if (f->type == FieldType::kInteger) {
          try {
            const auto a = std::stoll(stored), b = std::stoll(value);
            return a < b ? -1 : (a > b ? 1 : 0);
          } catch (const std::exception&) {
            return 0;
          }
        }
        return to_lower(stored).compare(to_lower(value));
      };
      const std::string& first = c.values.front();
      if (c.op == "equals") return equals(first);
      if (c.op == "not_equal") return !equals(first);
      if (c.op == "starts_with") {
        const std::string s = to_lower(stored), v = to_lower(first);
        return !v.empty() && s.compare(0, v.size(), v) == 0;
      }
      if (c.op == "in") return std::any_of(c.values.begin(), c.values.end(), equals);
      if (stored.empty()) return false;
      if (c.op == "greater_than") return compare(first) > 0;
      if (c.op == "greater_equal") return compare(first) >= 0;
      if (c.op == "less_than") return compare(first) < 0;
      if (c.op == "less_equal") return compare(first) <= 0;
      return compare(c.values[0]) >= 0 && compare(c.values[1]) <= 0; // between
    };
    const Node* root = tree.get();
    matches = [leaf, root](const Record& r) {
      std::function<bool(const Node&)> eval = [&](const Node& n) -> bool {
        if (n.kind == Node::Kind::kLeaf) return leaf(n.condition, r);
        if (n.kind == Node::Kind::kAnd) return eval(*n.left) && eval(*n.right);
        return eval(*n.left) || eval(*n.right);
      };
      return eval(*root);
    };
  } else if (const auto* email = q.query_param("email")) {
    const std::string wanted = trimmed_lower(*email);
    matches = [&module, wanted](const Record& r) {
      for (const auto& f : module.fields)
        if (f.type == FieldType::kEmail && trimmed_lower(text_of(r.fields, f.api_name)) == wanted) return true;
      return false;
    };
  } else if (const auto* phone = q.query_param("phone")) {
    const std::string wanted = digits_of(*phone);
    if (wanted.empty()) throw ZohoError(400, "INVALID_DATA", kInvalidDataMessage, {{"param_name", "phone"}});
    matches = [&module, wanted](const Record& r) {
      for (const auto& f : module.fields)
        if (f.type == FieldType::kPhone && phone_digits_match(text_of(r.fields, f.api_name), wanted)) return true;
      return false;
    };
  } else if (const auto* word = q.query_param("word")) {
    const std::string wanted = trimmed_lower(*word);
    if (wanted.empty()) throw ZohoError(400, "INVALID_DATA", kInvalidDataMessage, {{"param_name", "word"}});
    matches = [&module, wanted](const Record& r) {
      for (const auto& f : module.fields)
        if (is_text(f.type) && to_lower(text_of(r.fields, f.api_name)).find(wanted) != std::string::npos) return true;
      return false;
    };
  } else {
    throw ZohoError(400, "REQUIRED_PARAM_MISSING", kParamMissingMessage, {{"param_name", "criteria"}});
  }

  // Converted leads stay out unless converted=true|both.
  std::string converted = "false";
  if (const auto* c = q.query_param("converted")) converted = to_lower(*c);
  const bool leads = module.api_name == "Leads";
  const double lag_s = ctx_.knobs.snapshot().search_index_lag_s;
  const std::int64_t now = now_ms();

  std::vector<Record> found;
  ctx_.store.scan(module.api_name, [&](const Record& r) {
    if (lag_s > 0 && !r.preexisting && static_cast<double>(now - r.created_ms) < lag_s * 1000.0) return true;
    if (leads && converted != "both") {
      const bool is_converted = json_bool(r.fields, "$converted", false);
      if (is_converted != (converted == "true")) return true;
    }
    if (matches(r)) found.push_back(r);
    return found.size() < kMaxSearchResults;
  });

  const std::size_t start = (page - 1) * per_page;
  if (start >= found.size()) return Response::no_content(); // Zoho: 204, empty body, when nothing matches
  const std::size_t end = std::min(found.size(), start + per_page);
  boost::json::array data;
  for (std::size_t i = start; i < end; ++i) data.push_back(render(module, found[i], fields));
  return Response::json(200, boost::json::object{{"data", std::move(data)},
                                                 {"info", page_info(per_page, end - start, page, end < found.size())}});
}

} // namespace appconnect::crm_sandbox::zoho
