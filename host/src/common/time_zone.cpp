#include "common/time_zone.hpp"

#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace appconnect {

// A POSIX TZ rule: standard offset, and optionally a daylight offset with its start and end rules.
struct TimeZone::Rule {
  struct Transition {
    char form = 'M'; // 'M' month.week.day, 'J' Julian 1..365 without Feb 29, 'D' zero-based day of year
    int month = 0, week = 0, weekday = 0, day = 0;
    std::int64_t time_s = 7200; // local time of day of the change (may exceed 24 h or be negative)
  };
  std::int64_t std_offset_s = 0; // east of UTC, as used in arithmetic (POSIX strings store the opposite sign)
  bool has_dst = false;
  std::int64_t dst_offset_s = 0;
  Transition start, end;
};

namespace {

// Days since 1970-01-01 of a civil date (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

bool is_leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Seconds since the epoch of a transition in `year`, expressed in local time with `offset_s` in force.
std::int64_t transition_utc(const TimeZone::Rule::Transition& t, std::int64_t year, std::int64_t offset_s) {
  std::int64_t day = 0;
  if (t.form == 'M') {
    const std::int64_t first = days_from_civil(year, static_cast<unsigned>(t.month), 1);
    const int first_weekday = static_cast<int>(((first % 7) + 11) % 7); // 1970-01-01 was a Thursday (4)
    int offset = (t.weekday - first_weekday + 7) % 7;
    day = first + offset + 7 * (t.week - 1);
    if (t.week == 5) {
      static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      unsigned len = kDays[t.month - 1] + ((t.month == 2 && is_leap(year)) ? 1 : 0);
      const std::int64_t last = first + len - 1;
      while (day > last) day -= 7;
    }
  } else if (t.form == 'J') {
    day = days_from_civil(year, 1, 1) + t.day - 1;
    if (is_leap(year) && t.day >= 60) day += 1; // Jn never counts February 29
  } else {
    day = days_from_civil(year, 1, 1) + t.day;
  }
  return day * 86400 + t.time_s - offset_s;
}

class RuleParser {
 public:
  explicit RuleParser(std::string_view s) : s_(s) {}

  bool parse(TimeZone::Rule& rule) {
    if (!name()) return false;
    std::int64_t off = 0;
    if (!offset(off)) return false;
    rule.std_offset_s = -off;
    if (at_end()) return true;
    if (!name()) return false;
    rule.has_dst = true;
    rule.dst_offset_s = rule.std_offset_s + 3600;
    if (!at_end() && peek() != ',') {
      if (!offset(off)) return false;
      rule.dst_offset_s = -off;
    }
    if (at_end()) { // no rule given: POSIX's default is US rules
      rule.start = {'M', 3, 2, 0, 0, 7200};
      rule.end = {'M', 11, 1, 0, 0, 7200};
      return true;
    }
    if (!consume(',') || !transition(rule.start) || !consume(',') || !transition(rule.end)) return false;
    return at_end();
  }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[i_]; }
  bool consume(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  bool name() {
    if (consume('<')) {
      while (!at_end() && peek() != '>') ++i_;
      return consume('>');
    }
    std::size_t n = 0;
    while (!at_end() && std::isalpha(static_cast<unsigned char>(peek()))) ++i_, ++n;
    return n >= 3;
  }
  bool number(std::int64_t& v) {
    std::size_t n = 0;
    v = 0;
    while (!at_end() && std::isdigit(static_cast<unsigned char>(peek()))) v = v * 10 + (s_[i_++] - '0'), ++n;
    return n > 0;
  }
  // [+|-]hh[:mm[:ss]] in seconds.
  bool offset(std::int64_t& seconds) {
    int sign = 1;
    if (consume('-'))
      sign = -1;
    else
      consume('+');
    std::int64_t h = 0, m = 0, sec = 0;
    if (!number(h)) return false;
    if (consume(':') && !number(m)) return false;
    if (consume(':') && !number(sec)) return false;
    seconds = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool transition(TimeZone::Rule::Transition& t) {
    std::int64_t a = 0, b = 0, c = 0;
    if (consume('M')) {
      if (!number(a) || !consume('.') || !number(b) || !consume('.') || !number(c)) return false;
      if (a < 1 || a > 12 || b < 1 || b > 5 || c > 6) return false;
      t.form = 'M';
      t.month = static_cast<int>(a), t.week = static_cast<int>(b), t.weekday = static_cast<int>(c);
    } else if (consume('J')) {
      if (!number(a) || a < 1 || a > 365) return false;
      t.form = 'J', t.day = static_cast<int>(a);
    } else {
      if (!number(a) || a > 365) return false;
      t.form = 'D', t.day = static_cast<int>(a);
    }
    t.time_s = 7200;
    if (consume('/')) return offset(t.time_s);
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

std::string two_digits(unsigned v) {
  char b[8];
  std::snprintf(b, sizeof b, "%02u", v % 100);
  return b;
}

} // namespace

Result<std::shared_ptr<const TimeZone>> TimeZone::from_posix_rule(std::string name, std::string_view rule_text) {
  auto rule = std::make_shared<Rule>();
  RuleParser parser(rule_text);
  if (!parser.parse(*rule))
    return Error::make(error_code::kValidation,
                       "time zone '" + name + "' has a rule this host cannot read: '" + std::string(rule_text) + "'",
                       false);
  return std::make_shared<const TimeZone>(std::move(name), std::move(rule));
}

Result<std::shared_ptr<const TimeZone>> TimeZone::load(std::string_view iana_name) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(iana_name); it != cache.end()) return it->second;

  std::string name(iana_name);
  if (name.empty() || name == "UTC" || name == "Etc/UTC") {
    auto utc = from_posix_rule("UTC", "UTC0");
    if (utc) cache.emplace(name, utc.value());
    return utc;
  }
  // Names are looked up under the system zone directory only: no "..", no absolute paths.
  if (name.find("..") != std::string::npos || name.front() == '/' ||
      name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != std::string::npos)
    return Error::make(error_code::kValidation, "'" + name + "' is not an IANA time zone name", false);
  std::ifstream in("/usr/share/zoneinfo/" + name, std::ios::binary);
  if (!in)
    return Error::make(error_code::kValidation,
                       "unknown time zone '" + name + "' (no such zone in /usr/share/zoneinfo; is tzdata installed?)",
                       false);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string data = buf.str();
  // A TZif file of version 2 or later ends with "\n<POSIX rule>\n".
  if (data.size() < 8 || data.compare(0, 4, "TZif") != 0 || data.back() != '\n')
    return Error::make(error_code::kValidation, "time zone file for '" + name + "' is not a TZif v2+ file", false);
  const auto start = data.rfind('\n', data.size() - 2);
  if (start == std::string::npos)
    return Error::make(error_code::kValidation, "time zone file for '" + name + "' has no rule footer", false);
  auto zone = from_posix_rule(name, std::string_view(data).substr(start + 1, data.size() - start - 2));
  if (zone) cache.emplace(name, zone.value());
  return zone;
}

std::int64_t TimeZone::offset_s(std::int64_t unix_ms) const {
  const Rule& r = *rule_;
  if (!r.has_dst) return r.std_offset_s;
  const std::int64_t t = floor_div(unix_ms, 1000);
  const std::int64_t year = civil_from_days(floor_div(t + r.std_offset_s, 86400)).year;
  const std::int64_t start = transition_utc(r.start, year, r.std_offset_s);
  const std::int64_t end = transition_utc(r.end, year, r.dst_offset_s);
  const bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
  return dst ? r.dst_offset_s : r.std_offset_s;
}

std::string TimeZone::local_date(std::int64_t unix_ms) const {
  const std::int64_t local = floor_div(unix_ms, 1000) + offset_s(unix_ms);
  const Civil c = civil_from_days(floor_div(local, 86400));
  char b[32];
  std::snprintf(b, sizeof b, "%04lld-%02u-%02u", static_cast<long long>(c.year), c.month, c.day);
  return b;
}

std::string TimeZone::local_time(std::int64_t unix_ms) const {
  const std::int64_t local = floor_div(unix_ms, 1000) + offset_s(unix_ms);
  const std::int64_t sec_of_day = local - floor_div(local, 86400) * 86400;
  return two_digits(static_cast<unsigned>(sec_of_day / 3600)) + ":" +
         two_digits(static_cast<unsigned>((sec_of_day / 60) % 60));
}

} // namespace appconnect
