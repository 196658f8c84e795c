// Conflict rules: when a number matches several CRM records, an ordered list of rules narrows the
// candidates until one remains. Each rule keeps only the candidates that are best by its measure (ties
// survive to the next rule); a rule that cannot tell candidates apart keeps them all. If more than one
// candidate is left at the end, nobody guesses: the item goes to the unresolved queue.
#pragma once

#include <appconnect/types.hpp>

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace appconnect::matching {

enum class Rule {
  kTypePriority,    // prefer record types in the configured order (e.g. Contact before Lead)
  kLastModified,    // the most recently modified record
  kEarliestCreated, // the oldest record
  kAlphabetical,    // the first name in alphabetical order (case-insensitive)
  kOwnerIsAgent,    // the record owned by the CRM user who took the call
};

// "type_priority", "last_modified", "earliest_created", "alphabetical", "owner_is_agent".
std::optional<Rule> rule_from_name(std::string_view name);
const char* rule_name(Rule rule);

struct RuleSet {
  std::vector<Rule> rules;
  std::vector<std::string> type_priority; // for kTypePriority; types not listed rank last
};

struct RuleStep {
  Rule rule;
  std::size_t before = 0;
  std::size_t after = 0;
};

struct Resolution {
  std::optional<std::size_t> chosen;  // index into the candidates, when one record remains
  std::optional<Rule> decided_by;     // the rule that brought the set down to one
  std::vector<RuleStep> steps;        // how each rule narrowed the set
  std::vector<std::size_t> remaining; // indexes still tied when no rule could decide

  boost::json::value to_json(const std::vector<sdk::Contact>& candidates) const;
};

// `agent_owner_id` is the CRM user id of the agent (for kOwnerIsAgent); empty when unknown.
Resolution resolve(const std::vector<sdk::Contact>& candidates, const RuleSet& rules,
                   const std::string& agent_owner_id);

} // namespace appconnect::matching
