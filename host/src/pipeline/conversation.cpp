#include "pipeline/conversation.hpp"

#include <algorithm>
#include <set>

namespace appconnect::pipeline {
namespace {

int state_rank(const std::string& state) {
  if (state == "ended") return 2;
  if (state == "answered") return 1;
  return 0;
}

void take(std::string& into, const std::string& value) {
  if (!value.empty()) into = value;
}

void take_party(ingest::Party& into, const ingest::Party& from) {
  take(into.phone, from.phone);
  take(into.name, from.name);
  take(into.extension_id, from.extension_id);
  take(into.email, from.email);
}

// Source order: the source's sequence when both have one, else its event time, else arrival order
// (the vector's order, which is the store's sequence).
void sort_in_source_order(std::vector<ingest::CommunicationEvent>& events) {
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    if (a.sequence != 0 && b.sequence != 0 && a.sequence != b.sequence) return a.sequence < b.sequence;
    if (!a.event_time.empty() && !b.event_time.empty() && a.event_time != b.event_time)
      return a.event_time < b.event_time;
    return false;
  });
}

bool present(const ingest::CallDetails& c, const std::string& what) {
  if (what == "recording") return !c.recording_url.empty();
  if (what == "transcript") return !c.transcript.empty();
  if (what == "ai_summary") return !c.ai_summary.empty();
  if (what == "notes") return !c.notes.empty();
  return true;
}

} // namespace

MergedCall merge_call(std::vector<ingest::CommunicationEvent> events) {
  MergedCall m;
  m.events = events.size();
  if (events.empty()) return m;
  sort_in_source_order(events);
  auto& out = m.call;
  out = events.front();
  out.call.awaiting.clear();
  std::set<std::string> awaiting;
  std::string result;
  for (const auto& e : events) {
    // ISO 8601 UTC strings of one format compare like the instants they name.
    if (!e.start_time.empty() && e.start_time < out.start_time) out.start_time = e.start_time;
    take(out.direction, e.direction);
    take_party(out.from, e.from);
    take_party(out.to, e.to);
    take_party(out.agent, e.agent);
    const auto& c = e.call;
    if (state_rank(c.state) > state_rank(out.call.state)) out.call.state = c.state;
    if (c.state == "answered" || c.result == "answered") m.answered = true;
    if (c.duration_s > 0) out.call.duration_s = c.duration_s;
    if (!c.result.empty() && c.result != "unknown") result = c.result;
    take(out.call.recording_url, c.recording_url);
    take(out.call.notes, c.notes);
    take(out.call.end_time, c.end_time);
    take(out.call.transcript, c.transcript);
    take(out.call.ai_summary, c.ai_summary);
    take(out.call.disposition, c.disposition);
    out.call.via_queue = out.call.via_queue || c.via_queue;
    if (!c.legs.empty()) out.call.legs = c.legs;
    awaiting.insert(c.awaiting.begin(), c.awaiting.end());
  }
  m.ended = out.call.state == "ended";
  if (result.empty()) result = m.ended ? (m.answered ? "answered" : "missed") : "unknown";
  out.call.result = result;
  for (const auto& a : awaiting)
    if (!present(out.call, a)) m.awaiting.push_back(a);
  out.call.awaiting = m.awaiting;
  return m;
}

MessageThread merge_messages(std::vector<ingest::CommunicationEvent> events) {
  MessageThread t;
  if (events.empty()) return t;
  std::stable_sort(events.begin(), events.end(),
                   [](const auto& a, const auto& b) { return a.start_time < b.start_time; });
  std::set<std::string> seen;
  bool inbound = false, outbound = false;
  for (auto& e : events) {
    if (!seen.insert(e.message.message_id).second) {
      // The same message delivered again: keep the first copy, but let a later one fill in blanks
      // (a fax's final status and page count arrive after the first notification).
      for (auto& kept : t.messages)
        if (kept.message.message_id == e.message.message_id) {
          take(kept.message.status, e.message.status);
          take(kept.message.attachment_url, e.message.attachment_url);
          take(kept.message.transcript, e.message.transcript);
          if (e.message.fax_pages > 0) kept.message.fax_pages = e.message.fax_pages;
          if (e.message.duration_s > 0) kept.message.duration_s = e.message.duration_s;
        }
      continue;
    }
    inbound = inbound || e.direction == "inbound";
    outbound = outbound || e.direction == "outbound";
    t.messages.push_back(std::move(e));
  }
  t.first = t.messages.front();
  t.direction = inbound && outbound ? "mixed" : (outbound ? "outbound" : "inbound");
  return t;
}

} // namespace appconnect::pipeline
