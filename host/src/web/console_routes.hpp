// The web console (host/web): static files served by the host itself, so the console needs nothing but
// the host. Only the files directly inside the web directory are served; everything the console shows
// comes from the admin API.
#pragma once

#include "http/server.hpp"

#include <filesystem>
#include <optional>
#include <string_view>

namespace appconnect::web {

// Where the console's files are when the config does not say (`web_dir`): <build>/web beside bin/ in a
// build tree, <prefix>/share/appconnect/web when installed. Empty when neither exists.
std::filesystem::path default_web_dir();

// The Content-Type for a file name by its extension; nullopt for extensions the console never serves.
std::optional<std::string_view> content_type_for(std::string_view file_name);

// GET / (302 to /console), GET /console (index.html) and GET /console/{file}.
void add_console_routes(http::Router& router, std::filesystem::path web_dir);

} // namespace appconnect::web
