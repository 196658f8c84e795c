// One keep-alive HTTP/1.1 connection to a loopback server, for one load-tool thread. A request that
// fails on a reused connection (the server closed it while idle) is retried once on a fresh one.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace Poco::Net {
class HTTPClientSession;
}

namespace appconnect::bench {

struct HttpReply {
  int status = 0; // 0: no answer (transport error; see `error`)
  std::string body;
  std::string error;
};

// "http://127.0.0.1:8080" -> host and port. Only plain-HTTP loopback URLs are accepted.
bool parse_base_url(const std::string& url, std::string& host, int& port, std::string& error);

class HttpSession {
 public:
  explicit HttpSession(const std::string& base_url);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  HttpReply request(const std::string& method, const std::string& path, const std::string& body = {},
                    const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  std::string host_;
  int port_ = 0;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
};

} // namespace appconnect::bench
