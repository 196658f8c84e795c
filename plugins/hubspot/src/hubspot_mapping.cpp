#include "hubspot_mapping.hpp"

#include "hubspot_api.hpp"

#include <appconnect/time.hpp>

#include <algorithm>

namespace appconnect::hubspot {
using sdk::html_escape;

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The length of the ITU-T E.164 country calling code at the start of `digits`. Calling codes form a
// prefix-free set: 1 and 7 are one digit, the list below two, every other code three.
std::size_t calling_code_length(std::string_view digits) {
  if (digits.empty()) return 0;
  if (digits[0] == '1' || digits[0] == '7') return 1;
  static constexpr std::string_view kTwoDigit[] = {"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41",
                                                   "43", "44", "45", "46", "47", "48", "49", "51", "52", "53", "54",
                                                   "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
                                                   "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98"};
  for (auto code : kTwoDigit)
    if (digits.substr(0, 2) == code) return 2;
  return 3;
}

std::string trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::string with_link(std::string html, const std::string& label, const std::string& url) {
  if (url.empty() || html.find(html_escape(url)) != std::string::npos) return html;
  if (!html.empty()) html += "<br>";
  html += label + ": <a href=\"" + html_escape(url) + "\">" + html_escape(url) + "</a>";
  return html;
}

bool is_https(const std::string& url) {
  return url.rfind("https://", 0) == 0;
}

} // namespace

std::string object_for_kind(std::string_view kind) {
  if (kind == "call") return "calls";
  if (kind == "sms") return "communications";
  if (kind == "fax" || kind == "voicemail") return "notes";
  return {};
}

int contact_association_type(std::string_view object) {
  if (object == "calls") return 194;
  if (object == "communications") return 81;
  if (object == "notes") return 202;
  return 0;
}

std::string national_digits(const std::string& e164, const std::vector<std::string>& variants) {
  if (e164.size() > 2 && e164[0] == '+' && all_digits(std::string_view(e164).substr(1))) {
    const std::string digits = e164.substr(1);
    const std::string national = digits.substr(calling_code_length(digits));
    if (!national.empty()) return national;
  }
  std::string shortest;
  for (const auto& v : variants)
    if (all_digits(v) && (shortest.empty() || v.size() < shortest.size())) shortest = v;
  return shortest;
}

std::string call_status(std::string_view result, std::string_view direction) {
  if (result == "missed") return "NO_ANSWER";
  if (result == "voicemail") return direction == "outbound" ? "COMPLETED" : "NO_ANSWER";
  if (result == "busy") return "BUSY";
  if (result == "rejected") return "CANCELED";
  if (result == "failed") return "FAILED";
  return "COMPLETED"; // answered, unknown, or not said
}

std::string call_disposition(std::string_view result) {
  if (result == "answered") return outcome::kConnected;
  if (result == "missed" || result == "rejected") return outcome::kNoAnswer;
  if (result == "voicemail") return outcome::kLeftVoicemail;
  if (result == "busy") return outcome::kBusy;
  return {}; // failed / unknown: no outcome rather than a wrong one
}

std::string body_html(std::string_view body, std::string_view format) {
  if (format == "html") return std::string(body);
  std::string out;
  const std::string escaped = html_escape(body);
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '\r') continue;
    if (escaped[i] == '\n')
      out += "<br>";
    else
      out.push_back(escaped[i]);
  }
  return out;
}

std::string timestamp(const std::string& start_time, std::int64_t now_ms) {
  const auto ms = sdk::time::parse_iso8601_ms(start_time);
  return sdk::time::format_iso8601_utc(ms.value_or(now_ms), true);
}

boost::json::object call_properties(const sdk::CallLog& log, const std::string& external_id_property,
                                    std::int64_t now_ms) {
  boost::json::object p;
  p["hs_timestamp"] = timestamp(log.start_time, now_ms);
  p["hs_call_title"] = log.subject;
  std::string body = body_html(log.body, log.body_format);
  // HubSpot plays back only HTTPS recordings; any other link goes into the body instead.
  if (!log.recording_url.empty() && is_https(log.recording_url))
    p["hs_call_recording_url"] = log.recording_url;
  else
    body = with_link(std::move(body), "Recording", log.recording_url);
  p["hs_call_body"] = body;
  // Internal calls have no HubSpot direction (it is from the HubSpot user's point of view).
  if (log.direction == "inbound") p["hs_call_direction"] = "INBOUND";
  if (log.direction == "outbound") p["hs_call_direction"] = "OUTBOUND";
  p["hs_call_duration"] = std::to_string(std::max<std::int64_t>(0, log.duration_s) * 1000);
  p["hs_call_status"] = call_status(log.result, log.direction);
  if (const std::string d = call_disposition(log.result); !d.empty()) p["hs_call_disposition"] = d;
  if (!log.from_phone.empty()) p["hs_call_from_number"] = log.from_phone;
  if (!log.to_phone.empty()) p["hs_call_to_number"] = log.to_phone;
  if (!log.owner_id.empty()) p["hubspot_owner_id"] = log.owner_id;
  p[external_id_property] = log.external_id;
  return p;
}

std::string strip_title_line(const std::string& html) {
  // message_properties writes "<b>subject</b><br>" first; the host owns the subject, so the body it
  // reads back must not include it (or every update would add another title line).
  if (html.rfind("<b>", 0) != 0) return html;
  const auto end = html.find("</b>");
  if (end == std::string::npos) return html;
  std::size_t rest = end + 4;
  if (html.compare(rest, 4, "<br>") == 0) rest += 4;
  return html.substr(rest);
}

boost::json::object message_properties(const sdk::MessageLog& log, const std::string& external_id_property,
                                       std::int64_t now_ms) {
  // Neither communications nor notes have a title: the subject leads the body in bold.
  std::string html;
  if (!log.subject.empty()) html = "<b>" + html_escape(log.subject) + "</b>";
  const std::string body = body_html(log.body, log.body_format);
  if (!body.empty()) html += (html.empty() ? "" : "<br>") + body;
  html = with_link(std::move(html),
                   log.kind == "fax" ? "Document" : (log.kind == "voicemail" ? "Recording" : "Attachment"),
                   log.attachment_url);

  boost::json::object p;
  p["hs_timestamp"] = timestamp(log.start_time, now_ms);
  if (log.kind == "sms") {
    p["hs_communication_channel_type"] = "SMS";
    p["hs_communication_logged_from"] = "CRM"; // "must be set to CRM" (communications guide)
    p["hs_communication_body"] = html;
  } else {
    p["hs_note_body"] = html.size() > 65536 ? html.substr(0, 65536) : html;
  }
  if (!log.owner_id.empty()) p["hubspot_owner_id"] = log.owner_id;
  p[external_id_property] = log.external_id;
  return p;
}

boost::json::object create_body(boost::json::object properties, const std::string& contact_id, int association_type) {
  boost::json::array associations;
  if (!contact_id.empty() && association_type != 0)
    associations.push_back(boost::json::object{
        {"to", boost::json::object{{"id", contact_id}}},
        {"types", boost::json::array{boost::json::object{{"associationCategory", "HUBSPOT_DEFINED"},
                                                         {"associationTypeId", association_type}}}}});
  return boost::json::object{{"properties", std::move(properties)}, {"associations", std::move(associations)}};
}

sdk::Contact contact_from(const boost::json::object& record, std::string url) {
  sdk::Contact c;
  c.id = field(record, "id");
  c.type = "contact"; // HubSpot has one person object; lifecycle stages are not record types
  c.name = trimmed(property(record, "firstname") + " " + property(record, "lastname"));
  c.phone = property(record, "phone");
  c.mobile_phone = property(record, "mobilephone");
  c.email = property(record, "email");
  if (c.name.empty()) c.name = !c.email.empty() ? c.email : (!c.phone.empty() ? c.phone : c.mobile_phone);
  c.company = property(record, "company");
  c.owner_id = property(record, "hubspot_owner_id");
  std::string created = property(record, "createdate");
  if (created.empty()) created = field(record, "createdAt");
  std::string modified = property(record, "lastmodifieddate");
  if (modified.empty()) modified = field(record, "updatedAt");
  c.created_at = created.empty() ? created : sdk::time::to_utc(created);
  c.modified_at = modified.empty() ? modified : sdk::time::to_utc(modified);
  c.url = std::move(url);
  return c;
}

} // namespace appconnect::hubspot
