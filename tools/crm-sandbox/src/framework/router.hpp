// Method + path-pattern routing with named parameters ("/sobjects/{object}/{id}"). Routes are tried in
// registration order, so register literal routes ("/sobjects/{object}/describe") before the
// parameterized ones they would otherwise shadow. Trailing slashes are ignored on both sides because
// the CRMs accept both spellings ("/sobjects/Task/" and "/sobjects/Task").
#pragma once

#include "framework/http_types.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace appconnect::crm_sandbox {

class PathParams {
 public:
  void add(std::string name, std::string value) { values_.emplace_back(std::move(name), std::move(value)); }
  // The parameter's value, or empty when the pattern has no such parameter.
  const std::string& get(std::string_view name) const;
  const std::string& operator[](std::string_view name) const { return get(name); }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

using Handler = std::function<Response(const Request&, const PathParams&)>;

class Router {
 public:
  struct Match {
    const Handler* handler = nullptr; // null: nothing to run
    PathParams params;
    std::vector<std::string> allowed; // when handler is null and this is not empty: 405
  };

  void add(std::string method, std::string_view pattern, Handler handler);
  Match match(std::string_view method, std::string_view path) const;

 private:
  struct Segment {
    std::string text;
    bool param = false;
  };
  struct Route {
    std::string method;
    std::vector<Segment> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// Splits "/a/b/" into {"a","b"} (empty segments dropped).
std::vector<std::string_view> split_path(std::string_view path);

} // namespace appconnect::crm_sandbox
