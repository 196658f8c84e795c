#include "framework/router.hpp"

#include <algorithm>

namespace appconnect::crm_sandbox {

const std::string& PathParams::get(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [k, v] : values_)
    if (k == name) return v;
  return kEmpty;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) out.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

void Router::add(std::string method, std::string_view pattern, Handler handler) {
  Route route;
  route.method = std::move(method);
  for (auto part : split_path(pattern)) {
    Segment seg;
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      seg.param = true;
      seg.text = std::string(part.substr(1, part.size() - 2));
    } else {
      seg.text = std::string(part);
    }
    route.segments.push_back(std::move(seg));
  }
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  const auto parts = split_path(path);
  for (const auto& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    PathParams params;
    bool ok = true;
    for (std::size_t i = 0; i < parts.size() && ok; ++i) {
      const auto& seg = route.segments[i];
      if (seg.param)
        params.add(seg.text, std::string(parts[i]));
      else
        ok = seg.text == parts[i];
    }
    if (!ok) continue;
    if (route.method == method) {
      result.handler = &route.handler;
      result.params = std::move(params);
      result.allowed.clear();
      return result;
    }
    if (std::find(result.allowed.begin(), result.allowed.end(), route.method) == result.allowed.end())
      result.allowed.push_back(route.method);
  }
  return result;
}

} // namespace appconnect::crm_sandbox
