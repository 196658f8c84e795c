// ISO 8601 date-time parsing and UTC formatting. CRMs answer with several spellings of the same instant
// (Salesforce "2024-05-01T10:00:00.000+0000", HubSpot "...123Z", Zoho "...+05:30"); the SDK promises
// UTC "YYYY-MM-DDTHH:MM:SSZ" (or with .mmm) on its side of the boundary, so conflict rules compare
// like with like.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace appconnect::sdk::time {

namespace detail {
// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

inline bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  for (std::size_t i = pos; i < pos + len; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return ec == std::errc() && p == s.data() + pos + len;
}
} // namespace detail

// Milliseconds since the epoch, or nullopt when the text is not an ISO 8601 date-time with a zone.
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|+HHMM]" and a plain date "YYYY-MM-DD" (midnight UTC).
inline std::optional<std::int64_t> parse_iso8601_ms(std::string_view s) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!detail::read_int(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !detail::read_int(s, 5, 2, month) ||
      s[7] != '-' || !detail::read_int(s, 8, 2, day))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  std::int64_t ms = 0;
  std::size_t pos = 10;
  std::int64_t offset_min = 0;
  if (s.size() > 10) {
    if ((s[10] != 'T' && s[10] != ' ') || !detail::read_int(s, 11, 2, hour) || s.size() < 19 || s[13] != ':' ||
        !detail::read_int(s, 14, 2, minute) || s[16] != ':' || !detail::read_int(s, 17, 2, second))
      return std::nullopt;
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    pos = 19;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      int digits = 0;
      std::int64_t frac = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (digits < 3) frac = frac * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return std::nullopt;
      for (int i = digits; i < 3; ++i) frac *= 10;
      ms = frac;
    }
    if (pos >= s.size()) return std::nullopt; // a time without a zone is ambiguous: refuse it
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      const int sign = s[pos] == '-' ? -1 : 1;
      int oh = 0, om = 0;
      if (!detail::read_int(s, pos + 1, 2, oh)) return std::nullopt;
      std::size_t mpos = pos + 3;
      if (mpos < s.size() && s[mpos] == ':') ++mpos;
      if (!detail::read_int(s, mpos, 2, om)) return std::nullopt;
      offset_min = sign * (oh * 60 + om);
      pos = mpos + 2;
    } else {
      return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
  }
  const std::int64_t days = detail::days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_min * 60;
  return seconds * 1000 + ms;
}

// "YYYY-MM-DDTHH:MM:SSZ", or with ".mmm" when `with_ms` is set.
inline std::string format_iso8601_utc(std::int64_t unix_ms, bool with_ms = false) {
  std::int64_t seconds = unix_ms >= 0 ? unix_ms / 1000 : -((-unix_ms + 999) / 1000);
  const auto millis = static_cast<int>(unix_ms - seconds * 1000);
  std::int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  const auto sod = static_cast<int>(seconds - days * 86400);
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  detail::civil_from_days(days, y, m, d);
  char buf[96]; // generous: the compiler proves no truncation for any int64 input
  if (with_ms)
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(y), m, d, sod / 3600,
                  (sod / 60) % 60, sod % 60, millis);
  else
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m, d, sod / 3600,
                  (sod / 60) % 60, sod % 60);
  return buf;
}

// Normalizes any accepted spelling to UTC; returns the input unchanged when it cannot be parsed.
inline std::string to_utc(std::string_view s) {
  auto ms = parse_iso8601_ms(s);
  return ms ? format_iso8601_utc(*ms, *ms % 1000 != 0) : std::string(s);
}

} // namespace appconnect::sdk::time
