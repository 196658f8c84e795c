// Loading: the good fixtures load, and every broken fixture is refused with a message that names the
// file and the exact problem, without stopping the load of the files after it.
#include "plugins/plugin_registry.hpp"
#include "unit/plugins/plugin_test_util.hpp"

#include <boost/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace appconnect::plugins {
namespace {

using test::fixture;
using test::fixture_dir;
using test::make_services;
using test::refusal_of;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string abi(int major, int minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

class BrokenPlugins : public ::testing::Test {
 protected:
  void SetUp() override { registry_.load_directory(fixture_dir("broken")); }

  // The reason for one broken file; it always names the file.
  std::string reason(std::string_view file_name) {
    const std::string r = refusal_of(registry_, file_name);
    EXPECT_THAT(r, HasSubstr(fixture("broken", file_name).string()));
    return r;
  }

  PluginRegistry registry_{make_services()};
};

TEST(PluginRegistry, LoadsTheGoodPlugins) {
  PluginRegistry registry(make_services());
  registry.load_directory(fixture_dir("good"));
  EXPECT_THAT(registry.refusals(), IsEmpty());
  ASSERT_EQ(registry.plugins().size(), 2u);
  // File-name order: echo.so before garbage.so.
  EXPECT_EQ(registry.plugins()[0]->manifest().id, "echo");
  EXPECT_EQ(registry.plugins()[1]->manifest().id, "garbage");

  const LoadedPlugin* echo = registry.find("echo");
  ASSERT_NE(echo, nullptr);
  EXPECT_EQ(echo->path(), fixture("good", "echo.so"));
  EXPECT_EQ(echo->manifest().name, "Echo (test fixture)");
  EXPECT_EQ(echo->manifest().version, "1.2.3");
  EXPECT_EQ(echo->manifest().abi_major, APPCONNECT_ABI_MAJOR);
  EXPECT_TRUE(echo->supports("find_contacts"));
  EXPECT_TRUE(echo->supports("create_call_log"));
  EXPECT_FALSE(echo->supports("oauth"));
  EXPECT_FALSE(echo->supports("find"));
  EXPECT_EQ(registry.find("nope"), nullptr);
}

TEST_F(BrokenPlugins, EveryBrokenFileIsRefusedAndLoadingContinues) {
  EXPECT_THAT(registry_.plugins(), IsEmpty());
  // Eleven libraries (one per failure mode); README.txt and sidecar_mismatch.manifest.json are not candidates.
  EXPECT_EQ(registry_.refusals().size(), 11u);
  EXPECT_EQ(refusal_of(registry_, "README.txt"), "");
  EXPECT_EQ(refusal_of(registry_, "sidecar_mismatch.manifest.json"), "");
  // A good plugin loaded afterwards into the same registry is unaffected.
  registry_.load_file(fixture("good", "echo.so"));
  EXPECT_NE(registry_.find("echo"), nullptr);
}

TEST_F(BrokenPlugins, TextFileNamedSoIsNotALibrary) {
  EXPECT_THAT(reason("not_a_library.so"), HasSubstr("not a loadable shared library"));
}

TEST_F(BrokenPlugins, LibraryWithoutEntrySymbol) {
  EXPECT_THAT(reason("no_entry.so"), HasSubstr("does not export the entry symbol appconnect_plugin_entry_v1"));
}

TEST_F(BrokenPlugins, EntryReturningNullQuotesThePluginsReason) {
  const std::string r = reason("refuses_host.so");
  EXPECT_THAT(r, HasSubstr("the plugin refused this host"));
  EXPECT_THAT(r, HasSubstr("host ABI " + abi(APPCONNECT_ABI_MAJOR, APPCONNECT_ABI_MINOR)));
  // What the plugin logged through host->log before returning NULL.
  EXPECT_THAT(r, HasSubstr("fixture refuses this host: it needs a host service this host lacks"));
}

TEST_F(BrokenPlugins, TableTooSmall) {
  EXPECT_THAT(reason("small_table.so"), HasSubstr("plugin table struct_size 16 is too small"));
}

TEST_F(BrokenPlugins, AbiMajorDiffers) {
  const std::string r = reason("abi_major.so");
  EXPECT_THAT(r, HasSubstr("built for ABI major version " + std::to_string(APPCONNECT_ABI_MAJOR + 1)));
  EXPECT_THAT(r, HasSubstr("supports only major version " + std::to_string(APPCONNECT_ABI_MAJOR)));
}

TEST_F(BrokenPlugins, AbiMinorNewerThanHostNamesBothVersions) {
  EXPECT_THAT(reason("abi_minor.so"),
              HasSubstr("built for ABI " + abi(APPCONNECT_ABI_MAJOR, APPCONNECT_ABI_MINOR + 1) +
                        ", newer than this host's ABI " + abi(APPCONNECT_ABI_MAJOR, APPCONNECT_ABI_MINOR)));
}

TEST_F(BrokenPlugins, InvalidEmbeddedManifestNamesTheField) {
  const std::string r = reason("bad_manifest.so");
  EXPECT_THAT(r, HasSubstr("invalid embedded manifest"));
  EXPECT_THAT(r, HasSubstr("manifest field 'id'"));
}

TEST_F(BrokenPlugins, ManifestAbiDisagreesWithTable) {
  EXPECT_THAT(reason("manifest_abi.so"), HasSubstr("manifest declares ABI 1.3 but the plugin table reports ABI 1.1"));
}

TEST_F(BrokenPlugins, SidecarManifestDisagreesWithEmbedded) {
  const std::string r = reason("sidecar_mismatch.so");
  EXPECT_THAT(r, HasSubstr("sidecar manifest " + fixture("broken", "sidecar_mismatch.manifest.json").string()));
  EXPECT_THAT(r, HasSubstr("version 9.9.9"));
  EXPECT_THAT(r, HasSubstr("the plugin reports id 'sidecar_mismatch' version 1.0.0"));
}

TEST_F(BrokenPlugins, TableWithoutInvoke) {
  EXPECT_THAT(reason("null_invoke.so"), HasSubstr("no invoke function"));
}

TEST_F(BrokenPlugins, EntryPointThatThrows) {
  EXPECT_THAT(reason("entry_throws.so"), HasSubstr("its entry point threw an exception"));
}

TEST(PluginRegistry, SecondPluginWithTheSameIdIsRefusedNamingTheFirst) {
  PluginRegistry registry(make_services());
  registry.load_directory(fixture_dir("duplicate"));
  ASSERT_EQ(registry.plugins().size(), 1u);
  EXPECT_EQ(registry.find("dup")->path(), fixture("duplicate", "dup_a.so"));
  const std::string r = refusal_of(registry, "dup_b.so");
  EXPECT_THAT(r, HasSubstr(fixture("duplicate", "dup_b.so").string()));
  EXPECT_THAT(r, HasSubstr("plugin id 'dup' is already provided by " + fixture("duplicate", "dup_a.so").string()));
}

TEST(PluginRegistry, SameLibraryTwiceIsRefused) {
  PluginRegistry registry(make_services());
  registry.load_file(fixture("good", "echo.so"));
  registry.load_file(fixture("good", "echo.so"));
  EXPECT_EQ(registry.plugins().size(), 1u);
  EXPECT_THAT(refusal_of(registry, "echo.so"), HasSubstr("same library as a plugin already loaded"));
  // The first instance still works: the refusal did not shut it down.
  auto r = registry.find("echo")->invoke("describe", boost::json::object{}, {}, CallScope{"echo", "", "", 0});
  EXPECT_TRUE(r.ok());
}

TEST(PluginRegistry, MissingDirectoryOrFileIsARefusal) {
  PluginRegistry registry(make_services());
  registry.load_directory(fixture_dir("does-not-exist"));
  registry.load_file(fixture("good", "missing.so"));
  ASSERT_EQ(registry.refusals().size(), 2u);
  EXPECT_THAT(registry.refusals()[0].reason, HasSubstr("cannot read plugin directory"));
  EXPECT_THAT(registry.refusals()[1].reason, HasSubstr("missing.so: no such file"));
}

// Shutdown order is observed through the fixtures' shutdown log (see fixture_common.h).
class ShutdownLog : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("appconnect-shutdown-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".log");
    std::filesystem::remove(path_);
    ::setenv("APPCONNECT_FIXTURE_SHUTDOWN_LOG", path_.c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("APPCONNECT_FIXTURE_SHUTDOWN_LOG");
    std::filesystem::remove(path_);
  }
  std::string contents() const {
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::filesystem::path path_;
};

TEST_F(ShutdownLog, RegistryShutsPluginsDownInReverseLoadOrder) {
  {
    PluginRegistry registry(make_services());
    registry.load_directory(fixture_dir("good"));      // echo, garbage
    registry.load_directory(fixture_dir("duplicate")); // dup_a; dup_b refused (and shut down at once)
    EXPECT_EQ(contents(), "dup_b\n");
  }
  EXPECT_EQ(contents(), "dup_b\ndup_a\ngarbage\n");
}

TEST_F(ShutdownLog, RefusedPluginIsShutDownBeforeUnloading) {
  PluginRegistry registry(make_services());
  registry.load_file(fixture("broken", "sidecar_mismatch.so"));
  EXPECT_EQ(registry.refusals().size(), 1u);
  EXPECT_EQ(contents(), "sidecar_mismatch\n");
}

TEST(InspectPlugin, DescribesALoadablePlugin) {
  const InspectReport report = inspect_plugin_file(fixture("good", "echo.so"), make_services());
  ASSERT_TRUE(report.ok) << report.reason;
  EXPECT_EQ(report.reason, "");
  ASSERT_TRUE(report.manifest.has_value());
  EXPECT_EQ(report.manifest->id, "echo");
  EXPECT_EQ(report.plugin_abi_major, APPCONNECT_ABI_MAJOR);
  EXPECT_EQ(report.plugin_abi_minor, APPCONNECT_ABI_MINOR);
  EXPECT_EQ(report.sidecar_manifest, fixture("good", "echo.manifest.json"));

  const std::string text = render_inspect(report, false);
  EXPECT_THAT(text, HasSubstr("status:         loadable"));
  EXPECT_THAT(text, HasSubstr("id:             echo"));
  EXPECT_THAT(text, HasSubstr("capabilities:   find_contacts, create_contact, create_call_log, list_users"));
  EXPECT_THAT(text, HasSubstr("base_url  Where create_contact posts (default: http://127.0.0.1:1)"));

  const auto doc = boost::json::parse(render_inspect(report, true)).as_object();
  EXPECT_EQ(doc.at("ok"), true);
  EXPECT_EQ(doc.at("plugin_abi"), boost::json::value(abi(APPCONNECT_ABI_MAJOR, APPCONNECT_ABI_MINOR)));
  EXPECT_EQ(doc.at("summary").at("id"), "echo");
  EXPECT_EQ(doc.at("manifest").at("vendor"), "AppConnect tests");
}

TEST(InspectPlugin, ExplainsARefusal) {
  const InspectReport report = inspect_plugin_file(fixture("broken", "abi_minor.so"), make_services());
  EXPECT_FALSE(report.ok);
  EXPECT_THAT(report.reason, HasSubstr("newer than this host's ABI"));
  EXPECT_EQ(report.plugin_abi_minor, APPCONNECT_ABI_MINOR + 1);
  EXPECT_FALSE(report.manifest.has_value());
  EXPECT_THAT(render_inspect(report, false), HasSubstr("status:         refused"));
  const auto doc = boost::json::parse(render_inspect(report, true)).as_object();
  EXPECT_EQ(doc.at("ok"), false);
  EXPECT_THAT(std::string(doc.at("reason").as_string()), HasSubstr("abi_minor.so"));

  const InspectReport text_file = inspect_plugin_file(fixture("broken", "not_a_library.so"), make_services());
  EXPECT_FALSE(text_file.ok);
  EXPECT_THAT(text_file.reason, HasSubstr("not a loadable shared library"));
}

TEST(InspectPlugin, RefusesALibraryAlreadyLoadedInThisProcess) {
  PluginRegistry registry(make_services());
  registry.load_file(fixture("good", "garbage.so"));
  ASSERT_NE(registry.find("garbage"), nullptr);
  const InspectReport report = inspect_plugin_file(fixture("good", "garbage.so"), make_services());
  EXPECT_FALSE(report.ok);
  EXPECT_THAT(report.reason, HasSubstr("already loaded in this process"));
}

TEST(RenderPluginList, TextAndJson) {
  PluginRegistry registry(make_services());
  registry.load_directory(fixture_dir("good"));
  registry.load_file(fixture("broken", "no_entry.so"));

  const std::string text = render_plugin_list(registry, false);
  EXPECT_THAT(text, HasSubstr("ID"));
  EXPECT_THAT(text, HasSubstr("CAPABILITIES"));
  EXPECT_THAT(text, HasSubstr("echo     1.2.3"));
  EXPECT_THAT(text, HasSubstr(fixture("good", "garbage.so").string()));
  EXPECT_THAT(text, HasSubstr("1 plugin file refused:"));
  EXPECT_THAT(text, HasSubstr("no_entry.so: does not export"));

  const auto doc = boost::json::parse(render_plugin_list(registry, true)).as_object();
  ASSERT_EQ(doc.at("plugins").as_array().size(), 2u);
  EXPECT_EQ(doc.at("plugins").at(0).at("id"), "echo");
  EXPECT_EQ(doc.at("plugins").at(0).at("abi"), boost::json::value(abi(APPCONNECT_ABI_MAJOR, APPCONNECT_ABI_MINOR)));
  EXPECT_EQ(doc.at("plugins").at(0).at("file"), boost::json::value(fixture("good", "echo.so").string()));
  ASSERT_EQ(doc.at("refusals").as_array().size(), 1u);

  PluginRegistry empty(make_services());
  EXPECT_THAT(render_plugin_list(empty, false), HasSubstr("No plugins loaded."));
}

} // namespace
} // namespace appconnect::plugins
