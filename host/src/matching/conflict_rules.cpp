#include "matching/conflict_rules.hpp"

#include <appconnect/time.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <limits>
#include <type_traits>

namespace appconnect::matching {

std::optional<Rule> rule_from_name(std::string_view name) {
  if (name == "type_priority") return Rule::kTypePriority;
  if (name == "last_modified") return Rule::kLastModified;
  if (name == "earliest_created") return Rule::kEarliestCreated;
  if (name == "alphabetical") return Rule::kAlphabetical;
  if (name == "owner_is_agent") return Rule::kOwnerIsAgent;
  return std::nullopt;
}

const char* rule_name(Rule rule) {
  switch (rule) {
    case Rule::kTypePriority:
      return "type_priority";
    case Rule::kLastModified:
      return "last_modified";
    case Rule::kEarliestCreated:
      return "earliest_created";
    case Rule::kAlphabetical:
      return "alphabetical";
    case Rule::kOwnerIsAgent:
      return "owner_is_agent";
  }
  return "unknown";
}

namespace {

std::string folded(const std::string& s) {
  std::string out = s;
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Keeps the candidates whose score is best (lowest). Candidates without a score (missing data) lose to
// any that have one; if none has a score, the rule cannot decide and keeps all.
template <class Score>
std::vector<std::size_t> keep_best(const std::vector<std::size_t>& in, Score score) {
  using Value = std::remove_cvref_t<decltype(*score(in.front()))>;
  std::optional<Value> best;
  for (auto i : in)
    if (auto s = score(i); s && (!best || *s < *best)) best = *s;
  if (!best) return in;
  std::vector<std::size_t> out;
  for (auto i : in)
    if (auto s = score(i); s && *s == *best) out.push_back(i);
  return out;
}

} // namespace

Resolution resolve(const std::vector<sdk::Contact>& candidates, const RuleSet& rules,
                   const std::string& agent_owner_id) {
  Resolution r;
  std::vector<std::size_t> set(candidates.size());
  for (std::size_t i = 0; i < set.size(); ++i) set[i] = i;
  if (set.size() == 1) {
    r.chosen = 0;
    return r;
  }
  for (Rule rule : rules.rules) {
    if (set.size() <= 1) break;
    const std::size_t before = set.size();
    switch (rule) {
      case Rule::kTypePriority:
        set = keep_best(set, [&](std::size_t i) -> std::optional<std::size_t> {
          const auto& order = rules.type_priority;
          auto it = std::find(order.begin(), order.end(), candidates[i].type);
          return static_cast<std::size_t>(it - order.begin()); // unlisted types rank after listed ones
        });
        break;
      case Rule::kLastModified:
        set = keep_best(set, [&](std::size_t i) -> std::optional<std::int64_t> {
          auto t = sdk::time::parse_iso8601_ms(candidates[i].modified_at);
          if (!t) return std::nullopt;
          return -*t; // newest first
        });
        break;
      case Rule::kEarliestCreated:
        set = keep_best(set, [&](std::size_t i) { return sdk::time::parse_iso8601_ms(candidates[i].created_at); });
        break;
      case Rule::kAlphabetical:
        set = keep_best(set, [&](std::size_t i) -> std::optional<std::string> {
          if (candidates[i].name.empty()) return std::nullopt;
          return folded(candidates[i].name);
        });
        break;
      case Rule::kOwnerIsAgent:
        if (!agent_owner_id.empty())
          set = keep_best(set, [&](std::size_t i) -> std::optional<int> {
            if (candidates[i].owner_id == agent_owner_id) return 0;
            return std::nullopt;
          });
        break;
    }
    r.steps.push_back(RuleStep{rule, before, set.size()});
    if (set.size() == 1) r.decided_by = rule;
  }
  if (set.size() == 1)
    r.chosen = set.front();
  else
    r.remaining = set;
  return r;
}

boost::json::value Resolution::to_json(const std::vector<sdk::Contact>& candidates) const {
  boost::json::object o;
  boost::json::array trace;
  for (const auto& s : steps)
    trace.push_back(boost::json::object{{"rule", rule_name(s.rule)}, {"before", s.before}, {"after", s.after}});
  o["steps"] = std::move(trace);
  if (chosen) o["chosen"] = candidates[*chosen].id;
  if (decided_by) o["decided_by"] = rule_name(*decided_by);
  if (!remaining.empty()) {
    boost::json::array tied;
    for (auto i : remaining) tied.push_back(boost::json::string(candidates[i].id));
    o["tied"] = std::move(tied);
  }
  return o;
}

} // namespace appconnect::matching
