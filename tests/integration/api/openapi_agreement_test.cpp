// docs/api/openapi.yaml and the routes the host serves must agree: every served route is documented
// and every documented route is served. The host is built in process (no listener needed) and its route
// table compared with the document's paths and methods.
#include "app/host.hpp"
#include "config/config.hpp"
#include "support/paths.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <string>

namespace appconnect::testing {
namespace {

// "METHOD /path" for each operation of the document: paths are the two-space-indented keys under
// `paths:`, operations the four-space-indented HTTP methods below them.
std::set<std::string> documented_routes(const std::string& file) {
  std::ifstream in(file);
  std::set<std::string> out;
  std::string line, path;
  bool in_paths = false;
  const std::regex path_key(R"(^  (/[^:\s]*):\s*$)");
  const std::regex method_key(R"(^    (get|post|put|patch|delete):\s*$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.rfind("paths:", 0) == 0) {
      in_paths = true;
      continue;
    }
    if (in_paths && !line.empty() && line[0] != ' ' && line[0] != '#') in_paths = false;
    if (!in_paths) continue;
    if (std::regex_match(line, m, path_key)) {
      path = m[1].str();
    } else if (!path.empty() && std::regex_match(line, m, method_key)) {
      std::string method = m[1].str();
      std::transform(method.begin(), method.end(), method.begin(), ::toupper);
      out.insert(method + " " + path);
    }
  }
  return out;
}

TEST(OpenApi, TheDocumentAndTheServedRoutesAgree) {
  TempDir dir("appconnect-openapi");
  auto config = config::default_config();
  config.data_dir = dir.path();
  config.listen = "127.0.0.1:0";
  config.plugin_dirs = {APPCONNECT_PLUGIN_DIR};
  auto host = app::Host::create(config);
  ASSERT_TRUE(host.ok()) << host.error().message;
  std::set<std::string> served;
  for (const auto& [method, pattern] : host.value()->routes()) served.insert(method + " " + pattern);
  ASSERT_GT(served.size(), 20u);

  const auto documented = documented_routes(source_path("docs/api/openapi.yaml"));
  EXPECT_FALSE(documented.empty()) << "no paths found in docs/api/openapi.yaml";
  std::string missing, extra;
  for (const auto& r : served)
    if (!documented.count(r)) missing += "  " + r + "\n";
  for (const auto& r : documented)
    if (!served.count(r)) extra += "  " + r + "\n";
  EXPECT_TRUE(missing.empty()) << "served but not in docs/api/openapi.yaml:\n" << missing;
  EXPECT_TRUE(extra.empty()) << "in docs/api/openapi.yaml but not served:\n" << extra;
}

} // namespace
} // namespace appconnect::testing
