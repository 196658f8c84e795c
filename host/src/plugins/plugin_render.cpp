// Text and JSON renderings of the plugin registry and of one inspected file, for `appconnect plugins ...`.
#include "plugins/plugin_registry.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <sstream>

namespace appconnect::plugins {
namespace {

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += separator;
    out += s;
  }
  return out;
}

std::string abi_text(int major, int minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

std::string string_field(const boost::json::object& o, std::string_view key) {
  const auto* p = o.if_contains(key);
  return p != nullptr && p->is_string() ? std::string(p->get_string()) : std::string();
}

boost::json::array strings(const std::vector<std::string>& items) {
  boost::json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return a;
}

boost::json::object manifest_summary(const Manifest& m) {
  return boost::json::object{{"id", m.id},
                             {"name", m.name},
                             {"version", m.version},
                             {"vendor", string_field(m.raw, "vendor")},
                             {"abi", abi_text(m.abi_major, m.abi_minor)},
                             {"capabilities", strings(m.capabilities)},
                             {"contact_types", strings(m.contact_types)},
                             {"body_formats", strings(m.body_formats)}};
}

// Pads a column so plain-text tables line up.
std::string pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

} // namespace

std::string render_plugin_list(const PluginRegistry& registry, bool as_json) {
  const auto plugins = registry.plugins();
  const auto& refusals = registry.refusals();
  if (as_json) {
    boost::json::array loaded;
    for (const auto* p : plugins) {
      boost::json::object o = manifest_summary(p->manifest());
      o["file"] = p->path().string();
      loaded.emplace_back(std::move(o));
    }
    boost::json::array refused;
    for (const auto& r : refusals)
      refused.emplace_back(boost::json::object{{"file", r.path.string()}, {"reason", r.reason}});
    return boost::json::serialize(
               boost::json::object{{"plugins", std::move(loaded)}, {"refusals", std::move(refused)}}) +
           "\n";
  }

  std::vector<std::array<std::string, 5>> rows;
  rows.push_back({"ID", "VERSION", "ABI", "CAPABILITIES", "FILE"});
  for (const auto* p : plugins) {
    const Manifest& m = p->manifest();
    rows.push_back(
        {m.id, m.version, abi_text(m.abi_major, m.abi_minor), joined(m.capabilities, ","), p->path().string()});
  }
  std::array<std::size_t, 5> widths{};
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  std::ostringstream out;
  if (plugins.empty()) {
    out << "No plugins loaded.\n";
  } else {
    for (const auto& row : rows) {
      std::string line;
      for (std::size_t i = 0; i < row.size(); ++i) line += i + 1 < row.size() ? pad(row[i], widths[i] + 2) : row[i];
      out << line << "\n";
    }
  }
  if (!refusals.empty()) {
    out << "\n" << refusals.size() << (refusals.size() == 1 ? " plugin file refused:\n" : " plugin files refused:\n");
    for (const auto& r : refusals) out << "  " << r.reason << "\n";
  }
  return out.str();
}

std::string render_inspect(const InspectReport& report, bool as_json) {
  if (as_json) {
    boost::json::object o{{"file", report.file.string()},
                          {"ok", report.ok},
                          {"host_abi", abi_text(report.host_abi_major, report.host_abi_minor)}};
    if (!report.ok) o["reason"] = report.reason;
    if (report.plugin_abi_major && report.plugin_abi_minor)
      o["plugin_abi"] = abi_text(*report.plugin_abi_major, *report.plugin_abi_minor);
    if (report.manifest) {
      o["summary"] = manifest_summary(*report.manifest);
      o["manifest"] = report.manifest->raw; // a manifest is public by design: endpoints, scopes, settings schema
    }
    if (!report.sidecar_manifest.empty()) o["sidecar_manifest"] = report.sidecar_manifest.string();
    return boost::json::serialize(o) + "\n";
  }

  std::ostringstream out;
  auto line = [&out](std::string_view label, const std::string& value) {
    out << pad(std::string(label) + ":", 16) << value << "\n";
  };
  line("file", report.file.string());
  line("status", report.ok ? "loadable" : "refused");
  if (!report.ok) line("reason", report.reason);
  line("host ABI", abi_text(report.host_abi_major, report.host_abi_minor));
  if (report.plugin_abi_major && report.plugin_abi_minor)
    line("plugin ABI", abi_text(*report.plugin_abi_major, *report.plugin_abi_minor));
  if (report.manifest) {
    const Manifest& m = *report.manifest;
    line("id", m.id);
    line("name", m.name);
    line("version", m.version);
    if (auto vendor = string_field(m.raw, "vendor"); !vendor.empty()) line("vendor", vendor);
    line("capabilities", m.capabilities.empty() ? "(none)" : joined(m.capabilities, ", "));
    if (!m.contact_types.empty()) line("contact types", joined(m.contact_types, ", "));
    if (!m.body_formats.empty()) line("body formats", joined(m.body_formats, ", "));
    if (const auto* f = m.raw.if_contains("phone_search_formats"); f != nullptr && f->is_array()) {
      std::vector<std::string> formats;
      for (const auto& v : f->get_array())
        if (v.is_string()) formats.emplace_back(v.get_string());
      line("phone formats", joined(formats, ", "));
    }
    line("oauth", m.raw.contains("oauth") ? "yes" : "no");
    if (const auto* s = m.raw.if_contains("settings"); s != nullptr && s->is_array() && !s->get_array().empty()) {
      out << "settings:\n";
      for (const auto& item : s->get_array()) {
        if (!item.is_object()) continue;
        const auto& setting = item.get_object();
        out << "  " << string_field(setting, "key");
        if (auto d = string_field(setting, "description"); !d.empty()) out << "  " << d;
        if (const auto* def = setting.if_contains("default"); def != nullptr && !def->is_null())
          out << " (default: " << (def->is_string() ? std::string(def->get_string()) : boost::json::serialize(*def))
              << ")";
        out << "\n";
      }
    }
  }
  line("sidecar", report.sidecar_manifest.empty() ? "(none)" : report.sidecar_manifest.string());
  return out.str();
}

} // namespace appconnect::plugins
