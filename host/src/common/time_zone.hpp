// Local dates and clock times in a tenant's time zone (an IANA name such as "America/New_York"), for
// SMS digests (one per contact per local day) and the times printed in composed bodies.
//
// The zone's current rule comes from the POSIX TZ string at the end of the system's TZif file
// (/usr/share/zoneinfo, Debian package tzdata). That rule is exact for the present and recent past,
// which is what logging needs; dates before the zone's last rule change may be an hour off.
#pragma once

#include "common/result.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace appconnect {

class TimeZone {
 public:
  // "UTC" (also "" and "Etc/UTC") needs no file. Other names are read once and cached.
  static Result<std::shared_ptr<const TimeZone>> load(std::string_view iana_name);
  // Parses a POSIX TZ rule such as "EST5EDT,M3.2.0,M11.1.0" (used by load, and by tests).
  static Result<std::shared_ptr<const TimeZone>> from_posix_rule(std::string name, std::string_view rule);

  const std::string& name() const { return name_; }
  // Offset from UTC in seconds at the given instant (negative west of Greenwich).
  std::int64_t offset_s(std::int64_t unix_ms) const;
  // "2026-11-25" in this zone.
  std::string local_date(std::int64_t unix_ms) const;
  // "09:14" in this zone.
  std::string local_time(std::int64_t unix_ms) const;

  struct Rule; // the parsed POSIX rule
  TimeZone(std::string name, std::shared_ptr<const Rule> rule) : name_(std::move(name)), rule_(std::move(rule)) {}

 private:
  std::string name_;
  std::shared_ptr<const Rule> rule_;
};

} // namespace appconnect
