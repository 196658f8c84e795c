#include "pipeline/compose.hpp"

#include <cstdio>

namespace appconnect::pipeline {
namespace {
std::string capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}
} // namespace

std::string format_duration(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  char buf[48];
  const auto h = seconds / 3600, m = (seconds / 60) % 60, s = seconds % 60;
  if (h > 0)
    std::snprintf(buf, sizeof buf, "%lldh %02lldm %02llds", static_cast<long long>(h), static_cast<long long>(m),
                  static_cast<long long>(s));
  else if (m > 0)
    std::snprintf(buf, sizeof buf, "%lldm %02llds", static_cast<long long>(m), static_cast<long long>(s));
  else
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  return buf;
}

std::string call_subject(const ingest::CommunicationEvent& e, const std::string& counterpart_e164) {
  const std::string& number = counterpart_e164.empty() ? e.counterpart().phone : counterpart_e164;
  if (e.direction == "outbound") return "Outbound call to " + number;
  if (e.direction == "internal") return "Internal call";
  if (e.call.result == "missed") return "Missed call from " + number;
  if (e.call.result == "voicemail") return "Missed call (voicemail) from " + number;
  return "Inbound call from " + number;
}

std::string call_body(const ingest::CommunicationEvent& e) {
  std::string body;
  auto line = [&body](const std::string& label, const std::string& value) {
    if (!value.empty()) body += label + ": " + value + "\n";
  };
  line("Direction", capitalized(e.direction));
  line("From", e.from.name.empty() ? e.from.phone : e.from.name + " <" + e.from.phone + ">");
  line("To", e.to.name.empty() ? e.to.phone : e.to.name + " <" + e.to.phone + ">");
  line("Agent", !e.agent.name.empty() ? e.agent.name : (!e.agent.email.empty() ? e.agent.email : e.agent.extension_id));
  line("Start", e.start_time);
  line("Duration", format_duration(e.call.duration_s));
  line("Result", capitalized(e.call.result));
  line("Recording", e.call.recording_url);
  if (!e.call.notes.empty()) body += "Notes:\n" + e.call.notes + "\n";
  return body;
}

sdk::CallLog make_call_log(const ingest::CommunicationEvent& e, const std::string& conversation_key,
                           const std::string& counterpart_e164, const std::string& contact_id,
                           const std::string& contact_type) {
  sdk::CallLog log;
  log.external_id = conversation_key;
  log.contact_id = contact_id;
  log.contact_type = contact_type;
  log.direction = e.direction;
  log.from_phone = e.from.phone;
  log.to_phone = e.to.phone;
  log.start_time = e.start_time;
  log.duration_s = e.call.duration_s;
  log.result = e.call.result;
  log.subject = call_subject(e, counterpart_e164);
  log.body = call_body(e);
  log.body_format = "text";
  log.recording_url = e.call.recording_url;
  return log;
}

} // namespace appconnect::pipeline
