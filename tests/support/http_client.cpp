#include "support/http_client.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <boost/json.hpp>

#include <cctype>
#include <istream>
#include <iterator>
#include <stdexcept>

namespace appconnect::testing {

std::string HttpResult::header(std::string_view name) const {
  std::string key(name);
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = headers.find(key);
  return it == headers.end() ? std::string() : it->second;
}

boost::json::value HttpResult::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) throw std::runtime_error("HTTP " + std::to_string(status) + " body is not JSON: " + body.substr(0, 500));
  return v;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string form(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out.push_back('&');
    out += url_encode(k) + "=" + url_encode(v);
  }
  return out;
}

HttpResult http(std::string_view method, const std::string& url, const std::string& body,
                const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout) {
  // Parsed by hand so the path and query go out exactly as written (Poco::URI re-encodes).
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) throw std::runtime_error("test http client supports http:// only: " + url);
  const auto host_end = url.find_first_of("/?", kScheme.size());
  const std::string authority = url.substr(kScheme.size(), host_end - kScheme.size());
  std::string target = host_end == std::string::npos ? "/" : url.substr(host_end);
  if (target.front() == '?') target = "/" + target;
  const auto colon = authority.rfind(':');
  const std::string host = colon == std::string::npos ? authority : authority.substr(0, colon);
  const auto port = static_cast<Poco::UInt16>(colon == std::string::npos ? 80 : std::stoi(authority.substr(colon + 1)));

  Poco::Net::HTTPClientSession session(host, port);
  session.setTimeout(
      Poco::Timespan(static_cast<long>(timeout.count() / 1000), static_cast<long>(timeout.count() % 1000) * 1000));
  Poco::Net::HTTPRequest request(std::string(method), target, Poco::Net::HTTPMessage::HTTP_1_1);
  bool has_type = false;
  for (const auto& [k, v] : headers) {
    request.set(k, v);
    std::string lower = k;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    has_type = has_type || lower == "content-type";
  }
  if (!body.empty() && !has_type) request.setContentType("application/json");
  // Always an explicit length: a bodiless POST without one is ambiguous to some servers.
  if (!body.empty() || method != "GET") request.setContentLength64(static_cast<Poco::Int64>(body.size()));

  try {
    auto& out = session.sendRequest(request);
    out << body;
    Poco::Net::HTTPResponse response;
    auto& in = session.receiveResponse(response);
    HttpResult result;
    result.status = static_cast<int>(response.getStatus());
    for (const auto& [k, v] : response) {
      std::string lower = k;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      result.headers[lower] = v;
    }
    result.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return result;
  } catch (const Poco::Exception& e) {
    throw std::runtime_error(std::string(method) + " " + url + ": " + e.displayText());
  }
}

std::string str(const boost::json::value& v, std::string_view key) {
  const auto* p = v.is_object() ? v.as_object().if_contains(key) : nullptr;
  return p != nullptr && p->is_string() ? std::string(p->get_string()) : std::string();
}

} // namespace appconnect::testing
