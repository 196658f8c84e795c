// The console's static files: what is served, with which type, and that nothing outside the web
// directory (or without a known type) ever is. Errors are JSON like every other route.
#include "web/console_routes.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fstream>

namespace appconnect::web {
namespace {

http::Response get(const http::Router& router, const std::string& path) {
  http::Request r;
  r.method = "GET";
  r.path = path;
  return router.dispatch(r);
}

std::string error_code_of(const http::Response& r) {
  return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
}

class ConsoleRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directory(dir_.file("web"));
    std::ofstream(dir_.file("web") / "index.html") << "<!doctype html><title>x</title>";
    std::ofstream(dir_.file("web") / "app.js") << "export {};";
    std::ofstream(dir_.file("web") / "notes.txt") << "not a console file type";
    std::ofstream(dir_.file("web") / ".hidden.js") << "secret";
    std::ofstream(dir_.file("outside.js")) << "outside";
    add_console_routes(router_, dir_.file("web"));
  }
  testing::TempDir dir_{"appconnect-web"};
  http::Router router_;
};

TEST_F(ConsoleRoutes, RootRedirectsToTheConsole) {
  auto r = get(router_, "/");
  EXPECT_EQ(r.status, 302);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Location");
  EXPECT_EQ(r.headers[0].second, "/console");
}

TEST_F(ConsoleRoutes, ServesIndexAndFilesWithTheirTypes) {
  auto index = get(router_, "/console");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index.body, "<!doctype html><title>x</title>");
  auto js = get(router_, "/console/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.body, "export {};");
}

TEST_F(ConsoleRoutes, AnythingElseIsAJsonNotFound) {
  for (const char* path : {"/console/missing.js", "/console/notes.txt", "/console/.hidden.js", "/console/..",
                           "/console/..%2Foutside.js", "/console/a b.js"}) {
    auto r = get(router_, path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.content_type, "application/json") << path;
    EXPECT_EQ(error_code_of(r), "not_found") << path;
  }
}

TEST(ConsoleRoutesWithoutFiles, SayWhereToPointTheHost) {
  http::Router router;
  add_console_routes(router, {});
  auto r = get(router, "/console");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("web_dir"), std::string::npos) << r.body;
}

TEST(ContentTypes, ByExtensionOnly) {
  EXPECT_EQ(content_type_for("app.css").value_or(""), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("logo.svg").value_or(""), "image/svg+xml");
  EXPECT_FALSE(content_type_for("app.js.map"));
  EXPECT_FALSE(content_type_for(".js"));
  EXPECT_FALSE(content_type_for("Makefile"));
}

} // namespace
} // namespace appconnect::web
