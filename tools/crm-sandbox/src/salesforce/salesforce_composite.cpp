// Composite: up to 25 subrequests in one call, later ones referring to earlier results with
// @{referenceId.path}; allOrNone rolls everything back when one fails. The whole composite counts as
// one API call. Always 200 with {"compositeResponse":[{body, httpHeaders, httpStatusCode, referenceId}]}.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm
// and docs/crm-and-telephony-apis.md 1.13.
#include "salesforce/salesforce_emulator.hpp"

#include "framework/json_util.hpp"

#include <cctype>

namespace appconnect::crm_sandbox::salesforce {

namespace {

constexpr std::size_t kMaxSubrequests = 25;
const char* const kHaltedMessage =
    "The transaction was rolled back since another operation in the same transaction failed.";

boost::json::value halted() {
  return boost::json::array{{{"errorCode", "PROCESSING_HALTED"}, {"message", kHaltedMessage}}};
}

// Follows "id" or "records[0].Id" into a subrequest's result body.
const boost::json::value* walk(const boost::json::value& root, std::string_view path) {
  const boost::json::value* cur = &root;
  while (!path.empty() && cur) {
    const auto dot = path.find('.');
    std::string_view part = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    std::optional<std::size_t> index;
    if (const auto br = part.find('['); br != std::string_view::npos && part.back() == ']') {
      try {
        index = std::stoul(std::string(part.substr(br + 1, part.size() - br - 2)));
      } catch (const std::exception&) {
        return nullptr;
      }
      part = part.substr(0, br);
    }
    if (!cur->is_object()) return nullptr;
    cur = cur->as_object().if_contains(part);
    if (cur && index) {
      if (!cur->is_array() || *index >= cur->as_array().size()) return nullptr;
      cur = &cur->as_array()[*index];
    }
  }
  return cur;
}

// Replaces every @{ref.path} in `text`; returns the unresolved expression on failure.
std::optional<std::string> substitute(std::string& text, const std::map<std::string, boost::json::value>& results) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto start = text.find("@{", i);
    if (start == std::string::npos) break;
    const auto end = text.find('}', start);
    if (end == std::string::npos) break;
    out += text.substr(i, start - i);
    const std::string expr = text.substr(start + 2, end - start - 2);
    const auto dot = expr.find('.');
    const std::string ref = expr.substr(0, dot);
    auto it = results.find(ref);
    const boost::json::value* v = it == results.end() || dot == std::string::npos
                                      ? nullptr
                                      : walk(it->second, std::string_view(expr).substr(dot + 1));
    if (!v || v->is_null() || v->is_object() || v->is_array()) return expr;
    out += v->is_string() ? std::string(v->get_string()) : boost::json::serialize(*v);
    i = end + 1;
  }
  out += text.substr(i);
  text = std::move(out);
  return std::nullopt;
}

std::optional<std::string> substitute(boost::json::value& v, const std::map<std::string, boost::json::value>& results) {
  if (v.is_string()) {
    std::string s(v.get_string());
    if (auto bad = substitute(s, results)) return bad;
    v = s;
  } else if (v.is_object()) {
    for (auto& kv : v.as_object())
      if (auto bad = substitute(kv.value(), results)) return bad;
  } else if (v.is_array()) {
    for (auto& e : v.as_array())
      if (auto bad = substitute(e, results)) return bad;
  }
  return std::nullopt;
}

} // namespace

Response SalesforceEmulator::composite(ApiCall& call) {
  if (in_composite_) throw SfError(400, "INVALID_INPUT", "Composite requests cannot be nested");
  std::string error;
  auto parsed = try_parse_json(call.request.body, &error);
  if (!parsed || !parsed->is_object()) throw SfError(400, "JSON_PARSER_ERROR", "Malformed JSON body: " + error);
  const auto& body = parsed->as_object();
  const bool all_or_none = json_bool(body, "allOrNone", false);
  const auto* list = body.if_contains("compositeRequest");
  if (!list || !list->is_array() || list->as_array().empty())
    throw SfError(400, "INVALID_INPUT", "compositeRequest must be a non-empty array");
  if (list->as_array().size() > kMaxSubrequests)
    throw SfError(400, "LIMIT_EXCEEDED",
                  "Limit Exceeded: A maximum of 25 subrequests is allowed in a composite request");

  std::vector<UndoEntry> journal;
  struct Scope {
    Scope(std::vector<UndoEntry>* j) {
      in_composite_ = true;
      undo_journal_ = j;
    }
    ~Scope() {
      in_composite_ = false;
      undo_journal_ = nullptr;
    }
  } scope(all_or_none ? &journal : nullptr);

  std::map<std::string, boost::json::value> results;
  boost::json::array responses;
  std::optional<std::size_t> first_failure;
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) throw SfError(400, "INVALID_INPUT", "each compositeRequest entry must be an object");
    const auto& sub = item.as_object();
    const std::string reference = json_string(sub, "referenceId");
    boost::json::object entry{
        {"body", nullptr}, {"httpHeaders", boost::json::object{}}, {"httpStatusCode", 400}, {"referenceId", reference}};
    if (first_failure && all_or_none) {
      entry["body"] = halted();
      responses.push_back(std::move(entry));
      continue;
    }
    std::string url = json_string(sub, "url");
    boost::json::value sub_body = sub.contains("body") ? sub.at("body") : boost::json::value(nullptr);
    std::optional<std::string> unresolved = substitute(url, results);
    if (!unresolved) unresolved = substitute(sub_body, results);
    if (unresolved) {
      const std::string ref = unresolved->substr(0, unresolved->find('.'));
      entry["body"] = boost::json::array{
          {{"errorCode", "PROCESSING_HALTED"},
           {"message", "Invalid reference specified. No value for " + *unresolved + " found in " + ref + "."}}};
    } else {
      Request r;
      r.method = json_string(sub, "method", "GET");
      for (auto& c : r.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const auto q = url.find('?');
      r.path = percent_decode(url.substr(0, q), false);
      if (q != std::string::npos) {
        r.query_string = url.substr(q + 1);
        r.query = parse_query_string(r.query_string);
      }
      r.headers["authorization"] = call.request.header("authorization");
      r.headers["content-type"] = "application/json";
      if (!sub_body.is_null()) r.body = boost::json::serialize(sub_body);
      r.base_url = call.request.base_url;
      Response out = r.path.rfind("/services/data/", 0) == 0
                         ? handle(r)
                         : error_response(400, "INVALID_INPUT", "The url must start with /services/data/");
      boost::json::value result = nullptr;
      if (!out.body.empty())
        if (auto v = try_parse_json(out.body)) result = std::move(*v);
      boost::json::object headers;
      if (const auto* loc = out.find_header("Location")) headers["Location"] = *loc;
      entry["body"] = result;
      entry["httpHeaders"] = std::move(headers);
      entry["httpStatusCode"] = out.status;
      if (!reference.empty() && out.status < 400) results[reference] = std::move(result);
    }
    if (entry["httpStatusCode"].as_int64() >= 400 && !first_failure) first_failure = responses.size();
    responses.push_back(std::move(entry));
  }

  if (all_or_none && first_failure) {
    // Undo in reverse order, then report every other subrequest as rolled back.
    for (auto it = journal.rbegin(); it != journal.rend(); ++it) {
      switch (it->kind) {
        case UndoEntry::Kind::kCreated:
          ctx_.store.remove(it->object, it->before.id);
          break;
        case UndoEntry::Kind::kUpdated:
          ctx_.store.update(it->object, it->before.id, [&](Record& r) { r.fields = it->before.fields; });
          break;
        case UndoEntry::Kind::kDeleted: {
          {
            std::lock_guard lock(tombstone_mutex_);
            tombstones_.erase(it->before.id);
          }
          ctx_.store.insert(it->object, it->before);
          break;
        }
      }
    }
    for (std::size_t i = 0; i < responses.size(); ++i) {
      if (i == *first_failure) continue;
      auto& e = responses[i].as_object();
      e["body"] = halted();
      e["httpHeaders"] = boost::json::object{};
      e["httpStatusCode"] = 400;
    }
  }
  return Response::json(200, boost::json::object{{"compositeResponse", std::move(responses)}});
}

} // namespace appconnect::crm_sandbox::salesforce
