#include "http_session.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <stdexcept>

namespace appconnect::bench {

bool parse_base_url(const std::string& url, std::string& host, int& port, std::string& error) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    error = "'" + url + "' is not an http:// URL";
    return false;
  }
  std::string rest = url.substr(scheme.size());
  if (auto slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) {
    error = "'" + url + "' has no port";
    return false;
  }
  host = rest.substr(0, colon);
  try {
    port = std::stoi(rest.substr(colon + 1));
  } catch (...) {
    port = 0;
  }
  // The load tool is for loopback servers only: it must never load a machine by accident.
  if (host != "127.0.0.1" && host != "localhost" && host != "[::1]") {
    error = "'" + url + "' is not a loopback address";
    return false;
  }
  if (port <= 0 || port > 65535) {
    error = "'" + url + "' has no valid port";
    return false;
  }
  return true;
}

HttpSession::HttpSession(const std::string& base_url) {
  std::string error;
  if (!parse_base_url(base_url, host_, port_, error)) throw std::invalid_argument(error);
}

HttpSession::~HttpSession() = default;

HttpReply HttpSession::request(const std::string& method, const std::string& path, const std::string& body,
                               const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpReply reply;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = session_ != nullptr;
    try {
      if (!session_) {
        session_ = std::make_unique<Poco::Net::HTTPClientSession>(host_, static_cast<Poco::UInt16>(port_));
        session_->setKeepAlive(true);
        session_->setTimeout(Poco::Timespan(60, 0));
      }
      Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
      req.setKeepAlive(true);
      for (const auto& [k, v] : headers) req.set(k, v);
      if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        if (!req.has("Content-Type")) req.setContentType("application/json");
        req.setContentLength(static_cast<std::streamsize>(body.size()));
      }
      auto& out = session_->sendRequest(req);
      out << body;
      Poco::Net::HTTPResponse resp;
      auto& in = session_->receiveResponse(resp);
      reply.body.clear();
      Poco::StreamCopier::copyToString(in, reply.body);
      reply.status = static_cast<int>(resp.getStatus());
      if (!resp.getKeepAlive()) session_.reset();
      return reply;
    } catch (const Poco::Exception& ex) {
      session_.reset();
      reply.status = 0;
      reply.error = ex.displayText();
      if (!reused) return reply; // a fresh connection failed: no point in retrying
    }
  }
  return reply;
}

} // namespace appconnect::bench
