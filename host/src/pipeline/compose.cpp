#include "pipeline/compose.hpp"

#include <appconnect/http.hpp>
#include <appconnect/json_fields.hpp>
#include <appconnect/time.hpp>

#include <algorithm>
#include <cstdio>

namespace appconnect::pipeline {
namespace jf = sdk::json_fields;
namespace {

std::string capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

using sdk::html_escape;

// Collects labelled lines and paragraphs in the chosen format.
class Writer {
 public:
  explicit Writer(std::string format) : format_(std::move(format)) {}

  void line(const std::string& label, const std::string& value) {
    if (value.empty()) return;
    if (format_ == "html")
      out_ += "<b>" + html_escape(label) + ":</b> " + html_escape(value) + "<br>";
    else if (format_ == "markdown")
      out_ += "**" + label + ":** " + value + "  \n";
    else
      out_ += label + ": " + value + "\n";
  }
  void link(const std::string& label, const std::string& url) {
    if (url.empty()) return;
    if (format_ == "html")
      out_ +=
          "<b>" + html_escape(label) + ":</b> <a href=\"" + html_escape(url) + "\">" + html_escape(url) + "</a><br>";
    else if (format_ == "markdown")
      out_ += "**" + label + ":** <" + url + ">  \n";
    else
      out_ += label + ": " + url + "\n";
  }
  void paragraph(const std::string& label, const std::string& text) {
    if (text.empty()) return;
    if (format_ == "html") {
      std::string escaped = html_escape(text), html;
      for (char c : escaped) html += c == '\n' ? std::string("<br>") : std::string(1, c);
      out_ += "<b>" + html_escape(label) + ":</b><br>" + html + "<br>";
    } else if (format_ == "markdown") {
      out_ += "**" + label + ":**\n\n" + text + "\n\n";
    } else {
      out_ += label + ":\n" + text + "\n";
    }
  }
  // A plain line without a label (digest entries, journey steps).
  void item(const std::string& text) {
    if (format_ == "html")
      out_ += html_escape(text) + "<br>";
    else if (format_ == "markdown")
      out_ += "- " + text + "\n";
    else
      out_ += text + "\n";
  }

  std::string section() const {
    // Appended step by step: GCC 12 warns (falsely) on a chain of + over the marker literals.
    std::string s = kSectionBegin;
    s.append(format_ == "html" ? "<br>" : "\n");
    s.append(out_);
    s.append(kSectionEnd);
    return s;
  }

 private:
  std::string format_;
  std::string out_;
};

std::int64_t ms_of(const std::string& iso) {
  return sdk::time::parse_iso8601_ms(iso).value_or(0);
}

std::string local_stamp(const ComposeOptions& o, const std::string& iso) {
  if (iso.empty()) return {};
  const std::int64_t ms = ms_of(iso);
  if (!o.zone) return iso;
  return o.zone->local_date(ms) + " " + o.zone->local_time(ms) + " (" + o.zone->name() + ")";
}

std::string clock(const ComposeOptions& o, const std::string& iso) {
  if (iso.empty()) return "--:--";
  const std::int64_t ms = ms_of(iso);
  if (!o.zone) return iso.size() >= 16 ? iso.substr(11, 5) : iso;
  return o.zone->local_time(ms);
}

std::string party_text(const ingest::Party& p) {
  if (p.name.empty()) return p.phone;
  if (p.phone.empty()) return p.name;
  return p.name + " <" + p.phone + ">";
}

std::string agent_text(const ingest::Party& p) {
  if (!p.name.empty()) return p.name;
  if (!p.email.empty()) return p.email;
  return p.extension_id.empty() ? std::string() : "extension " + p.extension_id;
}

std::string call_subject(const MergedCall& m, const std::string& number) {
  const auto& e = m.call;
  if (e.direction == "outbound") {
    if (e.call.result != "answered") return "Outbound call to " + number + " (" + e.call.result + ")";
    return "Outbound call to " + number;
  }
  if (e.direction == "internal") return "Internal call";
  if (e.call.result == "missed") return "Missed call from " + number;
  if (e.call.result == "voicemail") return "Missed call (voicemail) from " + number;
  return "Inbound call from " + number;
}

bool read_flag(const boost::json::object& o, const char* key, bool& into) {
  if (const auto* v = o.if_contains(key)) {
    if (!v->is_bool()) throw jf::FieldError(std::string("logging.fields.") + key + " must be true or false");
    into = v->get_bool();
  }
  return true;
}

void apply_logging(const boost::json::object& settings, ComposeFields& fields, std::string& format) {
  const auto* logging = settings.if_contains("logging");
  if (logging == nullptr || logging->is_null()) return;
  const auto& lo = jf::as_object(*logging, "logging");
  for (const auto& kv : lo)
    if (kv.key() != "fields" && kv.key() != "body_format" && kv.key() != "write_mode" &&
        kv.key() != "all_at_once_wait_s")
      throw jf::FieldError("unknown setting 'logging." + std::string(kv.key()) +
                           "' (known: fields, body_format, write_mode, all_at_once_wait_s)");
  format = jf::get_string(lo, "body_format", format);
  const auto* f = lo.if_contains("fields");
  if (f == nullptr) return;
  const auto& fo = jf::as_object(*f, "logging.fields");
  static constexpr const char* kKnown[] = {"notes",      "date_time",  "duration", "result", "recording_link",
                                           "transcript", "ai_summary", "journey",  "numbers"};
  for (const auto& kv : fo)
    if (std::none_of(std::begin(kKnown), std::end(kKnown), [&](const char* k) { return kv.key() == k; }))
      throw jf::FieldError("unknown field toggle 'logging.fields." + std::string(kv.key()) +
                           "' (known: notes, date_time, duration, result, recording_link, transcript, ai_summary, "
                           "journey, numbers)");
  read_flag(fo, "notes", fields.notes);
  read_flag(fo, "date_time", fields.date_time);
  read_flag(fo, "duration", fields.duration);
  read_flag(fo, "result", fields.result);
  read_flag(fo, "recording_link", fields.recording_link);
  read_flag(fo, "transcript", fields.transcript);
  read_flag(fo, "ai_summary", fields.ai_summary);
  read_flag(fo, "journey", fields.journey);
  read_flag(fo, "numbers", fields.numbers);
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

Result<ComposeOptions> compose_options_from(const boost::json::object& tenant_settings,
                                            const boost::json::object& connection_settings,
                                            const std::vector<std::string>& connector_formats) {
  ComposeOptions o;
  std::string wanted;
  try {
    apply_logging(tenant_settings, o.fields, wanted);
    apply_logging(connection_settings, o.fields, wanted);
  } catch (const jf::FieldError& ex) {
    return Error::make(error_code::kValidation, ex.what(), false);
  }
  if (!wanted.empty() && wanted != "text" && wanted != "html" && wanted != "markdown")
    return Error::make(error_code::kValidation, "logging.body_format must be text, html or markdown", false);
  const bool renders = std::find(connector_formats.begin(), connector_formats.end(), wanted) != connector_formats.end();
  if (!wanted.empty() && (renders || wanted == "text"))
    o.format = wanted;
  else if (!connector_formats.empty())
    o.format = connector_formats.front();
  auto zone = TimeZone::load(jf::get_string(tenant_settings, "time_zone", "UTC"));
  if (!zone) return zone.error();
  o.zone = zone.value();
  return o;
}

Composed compose_call(const MergedCall& m, const std::string& counterpart_e164, const ComposeOptions& o) {
  const auto& e = m.call;
  const std::string number = counterpart_e164.empty() ? e.counterpart().phone : counterpart_e164;
  Composed out;
  out.subject = call_subject(m, number);
  Writer w(o.format);
  w.line("Direction", capitalized(e.direction));
  if (o.fields.numbers) {
    w.line("From", party_text(e.from));
    w.line("To", party_text(e.to));
  }
  w.line("Agent", agent_text(e.agent));
  if (o.fields.date_time) w.line("Start", local_stamp(o, e.start_time));
  if (o.fields.duration) w.line("Duration", format_duration(e.call.duration_s));
  if (o.fields.result) {
    w.line("Result", capitalized(e.call.result));
    w.line("Disposition", e.call.disposition);
  }
  if (o.fields.recording_link) w.link("Recording", e.call.recording_url);
  if (!m.awaiting.empty()) {
    std::string list;
    for (const auto& a : m.awaiting) list += (list.empty() ? "" : ", ") + a;
    w.line("Pending", list + " (this record is updated when it arrives)");
  }
  if (o.fields.notes) w.paragraph("Notes", e.call.notes);
  if (o.fields.ai_summary) w.paragraph("AI summary", e.call.ai_summary);
  if (o.fields.transcript) w.paragraph("Transcript", e.call.transcript);
  if (o.fields.journey && !e.call.legs.empty()) {
    w.paragraph("Journey", " ");
    for (const auto& leg : e.call.legs) {
      std::string step = clock(o, leg.start_time) + " " + (leg.action.empty() ? "leg" : leg.action);
      if (const std::string who = agent_text(leg.agent); !who.empty()) step += " " + who;
      if (!leg.to.empty() && agent_text(leg.agent).empty()) step += " " + leg.to;
      if (!leg.result.empty()) step += " (" + leg.result + ")";
      w.item(step);
    }
  }
  out.section = w.section();
  return out;
}

Composed compose_messages(const MessageThread& t, const std::string& counterpart_e164, const ComposeOptions& o) {
  const auto& first = t.first;
  const std::string number = counterpart_e164.empty() ? first.counterpart().phone : counterpart_e164;
  Composed out;
  Writer w(o.format);
  if (first.kind == "fax") {
    const auto& msg = t.messages.back().message;
    out.subject = (first.direction == "outbound" ? "Outbound fax to " : "Inbound fax from ") + number;
    if (msg.fax_pages > 0)
      out.subject += " (" + std::to_string(msg.fax_pages) + (msg.fax_pages == 1 ? " page)" : " pages)");
    w.line("Direction", capitalized(first.direction));
    if (o.fields.numbers) {
      w.line("From", party_text(first.from));
      w.line("To", party_text(first.to));
    }
    if (o.fields.date_time) w.line("Time", local_stamp(o, first.start_time));
    if (msg.fax_pages > 0) w.line("Pages", std::to_string(msg.fax_pages));
    w.line("Status", msg.status);
    w.link("Document", msg.attachment_url);
  } else if (first.kind == "voicemail") {
    const auto& msg = t.messages.back().message;
    out.subject = "Voicemail from " + number;
    if (msg.duration_s > 0) out.subject += " (" + format_duration(msg.duration_s) + ")";
    if (o.fields.numbers) {
      w.line("From", party_text(first.from));
      w.line("To", party_text(first.to));
    }
    w.line("Agent", agent_text(first.agent));
    if (o.fields.date_time) w.line("Time", local_stamp(o, first.start_time));
    if (o.fields.duration && msg.duration_s > 0) w.line("Duration", format_duration(msg.duration_s));
    if (o.fields.recording_link) w.link("Audio", msg.attachment_url);
    if (o.fields.transcript) w.paragraph("Transcript", msg.transcript.empty() ? msg.text : msg.transcript);
  } else {
    const bool thread = first.message.shared_inbox;
    const std::string day = o.zone ? o.zone->local_date(ms_of(first.start_time)) : first.start_time.substr(0, 10);
    const std::size_t n = t.messages.size();
    out.subject = std::string(thread ? "SMS conversation with " : "SMS with ") + number + (thread ? "" : " on " + day) +
                  " (" + std::to_string(n) + (n == 1 ? " message)" : " messages)");
    if (o.fields.numbers) w.line("Contact", party_text(first.counterpart()));
    w.line("Agent", agent_text(first.agent));
    if (!first.message.participants.empty()) {
      std::string others;
      for (const auto& p : first.message.participants) others += (others.empty() ? "" : ", ") + party_text(p);
      w.line("Group", others);
    }
    if (o.fields.date_time) w.line(thread ? "Started" : "Day", thread ? local_stamp(o, first.start_time) : day);
    w.paragraph("Messages", " ");
    for (const auto& m : t.messages) {
      const ingest::Party& sender = m.direction == "outbound" ? m.agent : m.from;
      std::string who = m.direction == "outbound" ? agent_text(sender) : party_text(sender);
      if (who.empty()) who = m.direction == "outbound" ? "us" : m.from.phone;
      std::string entry = (thread && o.zone ? o.zone->local_date(ms_of(m.start_time)) + " " : std::string()) +
                          clock(o, m.start_time) + (m.direction == "outbound" ? " -> " : " <- ") + who + ": " +
                          m.message.text;
      if (!m.message.status.empty() && m.message.status != "Received" && m.message.status != "Delivered" &&
          m.message.status != "Sent")
        entry += " [" + m.message.status + "]";
      w.item(entry);
      for (const auto& a : m.message.attachments) w.item("  attachment: " + a.url);
    }
  }
  out.section = w.section();
  return out;
}

std::string merge_body(const std::optional<std::string>& current, const std::string& section,
                       const std::string& format) {
  if (!current || current->find_first_not_of(" \t\r\n") == std::string::npos) return section;
  const std::string& body = *current;
  const auto begin = body.find(kSectionBegin);
  if (begin != std::string::npos) {
    const auto end = body.find(kSectionEnd, begin);
    if (end != std::string::npos)
      return body.substr(0, begin) + section + body.substr(end + std::string_view(kSectionEnd).size());
    // The end marker was deleted: everything from our begin marker on is ours.
    return body.substr(0, begin) + section;
  }
  // Someone else's text and no section of ours (it was removed, or the record predates it): keep the
  // text and put the section after it.
  const std::string separator = format == "html" ? "<br>" : "\n\n";
  std::string kept = body;
  while (!kept.empty() && (kept.back() == '\n' || kept.back() == ' ' || kept.back() == '\r')) kept.pop_back();
  return kept + separator + section;
}

sdk::CallLog make_call_log(const MergedCall& m, const Composed& text, const std::string& external_id,
                           const std::string& format) {
  const auto& e = m.call;
  sdk::CallLog log;
  log.external_id = external_id;
  log.direction = e.direction;
  log.from_phone = e.from.phone;
  log.to_phone = e.to.phone;
  log.start_time = e.start_time;
  log.duration_s = e.call.duration_s;
  log.result = e.call.result;
  log.subject = text.subject;
  log.body = text.section;
  log.body_format = format;
  log.recording_url = e.call.recording_url;
  log.pending = !m.awaiting.empty();
  return log;
}

sdk::MessageLog make_message_log(const MessageThread& t, const Composed& text, const std::string& external_id,
                                 const std::string& format) {
  const auto& first = t.first;
  sdk::MessageLog log;
  log.external_id = external_id;
  log.kind = first.kind;
  log.direction = t.direction;
  log.from_phone = first.from.phone;
  log.to_phone = first.to.phone;
  log.start_time = first.start_time;
  log.subject = text.subject;
  log.body = text.section;
  log.body_format = format;
  log.message_count = static_cast<std::int64_t>(t.messages.size());
  const auto& last = t.messages.back().message;
  log.fax_pages = last.fax_pages;
  log.duration_s = last.duration_s;
  log.attachment_url = last.attachment_url;
  return log;
}

} // namespace appconnect::pipeline
