// HttpClient against real loopback peers: a Poco HTTPServer for ordinary exchanges, and a raw socket
// script where the test must control exactly when a connection dies.
#include "httpclient/http_client.hpp"
#include "unit/httpclient/loopback_server.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <boost/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>
#include <vector>

#include <unistd.h>

namespace appconnect::httpclient {
namespace {

using appconnect_test::LoopbackServer;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Answers with a JSON description of the request it received.
void echo_request(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
  std::string body;
  Poco::StreamCopier::copyToString(req.stream(), body);
  boost::json::object headers;
  for (const auto& [name, value] : req) headers[name] = value;
  const boost::json::object doc{
      {"method", req.getMethod()}, {"uri", req.getURI()}, {"body", body}, {"headers", headers}};
  resp.setStatus(req.getMethod() == "POST" ? Poco::Net::HTTPResponse::HTTP_CREATED : Poco::Net::HTTPResponse::HTTP_OK);
  resp.setContentType("application/json");
  resp.set("X-Echo-Server", "Loopback");
  resp.add("X-Multi", "one");
  resp.add("X-Multi", "two");
  const std::string text = boost::json::serialize(doc);
  resp.sendBuffer(text.data(), text.size());
}

boost::json::object body_of(const sdk::HttpResponse& r) {
  return boost::json::parse(r.body).as_object();
}

sdk::HttpRequest request(std::string method, std::string url, std::string body = {}) {
  sdk::HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = std::move(body);
  r.timeout_ms = 5000;
  return r;
}

// A port nothing listens on: bound once by us, then released.
std::uint16_t closed_port() {
  Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
  const auto port = s.address().port();
  s.close();
  return port;
}

TEST(HttpClient, GetReturnsStatusLowerCaseHeadersAndBody) {
  LoopbackServer server(echo_request);
  HttpClient client;
  auto r = client.send(request("GET", server.url("/contacts?phone=%2B14155550132")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("x-echo-server"), "Loopback");
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_EQ(r->header("x-multi"), "one, two");
  EXPECT_EQ(r->headers.count("X-Echo-Server"), 0u);
  const auto doc = body_of(r.value());
  EXPECT_EQ(doc.at("method"), "GET");
  // The percent-encoding the caller chose reaches the server unchanged.
  EXPECT_EQ(doc.at("uri"), "/contacts?phone=%2B14155550132");
  EXPECT_THAT(std::string(doc.at("headers").at("User-Agent").as_string()), StartsWith("AppConnect/"));
}

TEST(HttpClient, PostAndPatchSendBodiesAndHeaders) {
  LoopbackServer server(echo_request);
  HttpClient client;
  for (const std::string method : {"POST", "PATCH", "put"}) {
    auto req = request(method, server.url("/sobjects/Task"), R"({"Subject":"Call"})");
    req.headers["Content-Type"] = "application/json";
    req.headers["Authorization"] = "Bearer token-123";
    req.headers["User-Agent"] = "custom-agent";
    auto r = client.send(req);
    ASSERT_TRUE(r.ok()) << method << ": " << r.error().message;
    EXPECT_EQ(r->status, method == "POST" ? 201 : 200);
    const auto doc = body_of(r.value());
    std::string upper = method;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(doc.at("method"), boost::json::value(upper));
    EXPECT_EQ(doc.at("body"), R"({"Subject":"Call"})");
    EXPECT_EQ(doc.at("headers").at("Authorization"), "Bearer token-123");
    EXPECT_EQ(doc.at("headers").at("Content-Type"), "application/json");
    EXPECT_EQ(doc.at("headers").at("User-Agent"), "custom-agent");
    EXPECT_EQ(doc.at("headers").at("Content-Length"), "18");
  }
}

TEST(HttpClient, EmptyPostStillSendsContentLength) {
  LoopbackServer server(echo_request);
  HttpClient client;
  auto r = client.send(request("POST", server.url("/empty")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(body_of(r.value()).at("headers").at("Content-Length"), "0");
}

TEST(HttpClient, HttpErrorStatusIsAResponseNotAnError) {
  LoopbackServer server([](auto&, Poco::Net::HTTPServerResponse& resp) {
    resp.setStatus(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
    resp.set("Retry-After", "3");
    resp.sendBuffer("busy", 4);
  });
  HttpClient client;
  auto r = client.send(request("GET", server.url("/")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "busy");
  EXPECT_EQ(r->header("retry-after"), "3");
}

TEST(HttpClient, KeepAliveReusesOneConnection) {
  LoopbackServer server(echo_request);
  HttpClient client;
  for (int i = 0; i < 5; ++i) {
    auto r = client.send(request(i % 2 == 0 ? "GET" : "POST", server.url("/n/" + std::to_string(i)), "x"));
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  EXPECT_EQ(server.requests(), 5);
  EXPECT_EQ(server.connections(), 1u);
  const auto stats = client.stats();
  EXPECT_EQ(stats.connections_opened, 1u);
  EXPECT_EQ(stats.connections_reused, 4u);
  EXPECT_EQ(client.idle_connections(), 1u);
}

TEST(HttpClient, ConnectionClosedByServerIsNotPooled) {
  LoopbackServer server([](auto&, Poco::Net::HTTPServerResponse& resp) {
    resp.setKeepAlive(false);
    resp.sendBuffer("bye", 3);
  });
  HttpClient client;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.send(request("GET", server.url("/"))).ok());
  EXPECT_EQ(server.connections(), 3u);
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST(HttpClient, IdleConnectionsAreBoundedPerOrigin) {
  LoopbackServer server([&](auto& req, auto& resp) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150)); // keep the requests overlapping
    echo_request(req, resp);
  });
  HttpClientOptions options;
  options.max_idle_per_origin = 2;
  HttpClient client(options);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 5; ++i)
    threads.emplace_back([&] {
      if (client.send(request("GET", server.url("/"))).ok()) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 5);
  EXPECT_EQ(server.connections(), 5u);
  EXPECT_EQ(client.idle_connections(), 2u);
  client.close_idle_connections();
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST(HttpClient, ConcurrentRequestsFromManyThreads) {
  LoopbackServer server(echo_request);
  HttpClient client;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto r = client.send(request("POST", server.url("/t"), std::to_string(t * 100 + i)));
        if (r.ok() && body_of(r.value()).at("body") == boost::json::value(std::to_string(t * 100 + i))) ++ok;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_LE(server.connections(), 4u);
}

TEST(HttpClient, IdleConnectionClosedByServerIsReplaced) {
  LoopbackServer server(echo_request, std::chrono::milliseconds(100));
  HttpClient client;
  ASSERT_TRUE(client.send(request("GET", server.url("/a"))).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(400)); // the server drops the idle connection
  auto r = client.send(request("GET", server.url("/b")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(server.connections(), 2u);
}

// --- A scripted raw peer, for failures a real HTTP server does not produce on demand. ---

std::string read_request_head(Poco::Net::StreamSocket& s) {
  std::string data;
  char buf[1024];
  s.setReceiveTimeout(Poco::Timespan(5, 0));
  while (data.find("\r\n\r\n") == std::string::npos) {
    const int n = s.receiveBytes(buf, sizeof buf);
    if (n <= 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  return data;
}

void send_text(Poco::Net::StreamSocket& s, const std::string& text) {
  s.sendBytes(text.data(), static_cast<int>(text.size()));
}

TEST(HttpClient, StaleReusedConnectionIsRetriedOnceOnAFreshOne) {
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  const auto port = listener.address().port();
  std::thread peer([&] {
    // Connection 1 answers once, then takes the second request and dies without a byte of response,
    // as a server does when it closes an idle keep-alive connection just as the client reuses it.
    Poco::Net::StreamSocket first = listener.acceptConnection();
    read_request_head(first);
    send_text(first, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
    read_request_head(first);
    first.close();
    Poco::Net::StreamSocket second = listener.acceptConnection();
    read_request_head(second);
    send_text(second, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond");
    second.shutdown();
  });
  HttpClient client;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/x";
  auto r1 = client.send(request("GET", url));
  ASSERT_TRUE(r1.ok()) << r1.error().message;
  EXPECT_EQ(r1->body, "first");
  auto r2 = client.send(request("POST", url, "payload"));
  peer.join();
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  EXPECT_EQ(r2->body, "second");
  const auto stats = client.stats();
  EXPECT_EQ(stats.stale_retries, 1u);
  EXPECT_EQ(stats.connections_opened, 2u);
}

// Reads one request's head (into `head`) and its Content-Length body; returns the body's size.
std::size_t read_request_with_body(Poco::Net::StreamSocket& s, std::string& head) {
  std::string data = read_request_head(s);
  head = data.substr(0, data.find("\r\n"));
  const auto head_end = data.find("\r\n\r\n") + 4;
  std::size_t length = 0;
  if (const auto at = data.find("Content-Length: "); at != std::string::npos)
    length = std::stoul(data.substr(at + 16, data.find("\r\n", at) - at - 16));
  std::size_t have = data.size() - head_end;
  char buf[16384];
  while (have < length) {
    const int n = s.receiveBytes(buf, sizeof buf);
    if (n <= 0) break;
    have += static_cast<std::size_t>(n);
  }
  return have;
}

TEST(HttpClient, LargeRequestOnAStaleConnectionIsResentWhole) {
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  const auto port = listener.address().port();
  std::size_t received = 0;
  std::string second_request_line;
  std::string peer_error;
  int step = 0;
  std::thread peer([&] {
    try {
      Poco::Net::StreamSocket first = listener.acceptConnection();
      read_request_head(first);
      send_text(first, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      step = 1;
      read_request_head(first);
      step = 2;
      first.close(); // unread body bytes make the kernel reset the connection under the client's writes
      Poco::Net::StreamSocket second = listener.acceptConnection();
      step = 3;
      received = read_request_with_body(second, second_request_line);
      step = 4;
      const std::string body = std::to_string(received);
      send_text(second, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
      step = 5;
      second.shutdown();
    } catch (const Poco::Exception& e) {
      peer_error = e.displayText() + " at step " + std::to_string(step);
    }
  });
  HttpClient client;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/upload";
  ASSERT_TRUE(client.send(request("GET", url)).ok());
  auto r = client.send(request("POST", url, std::string(1 << 20, 'b')));
  peer.join();
  EXPECT_EQ(peer_error, "");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, std::to_string(1 << 20));
  // The retry is the whole request on a new connection, never a headless fragment of the body.
  EXPECT_EQ(second_request_line, "POST /upload HTTP/1.1");
  EXPECT_EQ(received, static_cast<std::size_t>(1 << 20));
  EXPECT_EQ(client.stats().stale_retries, 1u);
  EXPECT_EQ(client.stats().connections_opened, 2u);
}

TEST(HttpClient, FreshConnectionDyingIsNotRetried) {
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  const auto port = listener.address().port();
  std::thread peer([&] {
    Poco::Net::StreamSocket s = listener.acceptConnection();
    read_request_head(s);
    s.close();
  });
  HttpClient client;
  auto r = client.send(request("POST", "http://127.0.0.1:" + std::to_string(port) + "/x?api_key=secret", "data"));
  peer.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "transport");
  EXPECT_TRUE(r.error().retryable);
  EXPECT_THAT(r.error().message, Not(HasSubstr("secret")));
  EXPECT_EQ(client.stats().stale_retries, 0u);
  // No second connection was attempted.
  EXPECT_FALSE(listener.poll(Poco::Timespan(0, 100000), Poco::Net::Socket::SELECT_READ));
}

TEST(HttpClient, TruncatedBodyIsATransportError) {
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  const auto port = listener.address().port();
  std::thread peer([&] {
    Poco::Net::StreamSocket s = listener.acceptConnection();
    read_request_head(s);
    send_text(s, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part");
    s.close();
  });
  HttpClient client;
  auto r = client.send(request("GET", "http://127.0.0.1:" + std::to_string(port) + "/"));
  peer.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "transport");
  EXPECT_THAT(r.error().message, HasSubstr("11 of 100"));
}

TEST(HttpClient, RefusedConnectionIsATransportErrorNamingTheOriginOnly) {
  const auto port = closed_port();
  HttpClient client;
  auto req = request("GET", "http://127.0.0.1:" + std::to_string(port) + "/private/path?access_token=secret");
  req.headers["Authorization"] = "Bearer also-secret";
  auto r = client.send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "transport");
  EXPECT_TRUE(r.error().retryable);
  EXPECT_THAT(r.error().message, HasSubstr("http://127.0.0.1:" + std::to_string(port)));
  EXPECT_THAT(r.error().message, Not(HasSubstr("secret")));
  EXPECT_THAT(r.error().message, Not(HasSubstr("/private/path")));
}

TEST(HttpClient, SlowServerIsATimeout) {
  std::unique_ptr<LoopbackServer> server;
  server = std::make_unique<LoopbackServer>([&](auto&, Poco::Net::HTTPServerResponse& resp) {
    server->sleep_unless_stopping(std::chrono::seconds(3));
    resp.sendBuffer("late", 4);
  });
  HttpClient client;
  auto req = request("GET", server->url("/slow?token=secret"));
  req.timeout_ms = 200;
  const auto started = std::chrono::steady_clock::now();
  auto r = client.send(req);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "timeout");
  EXPECT_TRUE(r.error().retryable);
  EXPECT_THAT(r.error().message, HasSubstr("http://127.0.0.1:" + std::to_string(server->port())));
  EXPECT_THAT(r.error().message, Not(HasSubstr("secret")));
  EXPECT_LT(elapsed, std::chrono::milliseconds(1500));
  EXPECT_EQ(client.stats().stale_retries, 0u);
}

TEST(HttpClient, TimeoutIsATotalBudgetNotPerRead) {
  // Each chunk arrives well within the timeout, but all of them together do not.
  std::unique_ptr<LoopbackServer> server;
  server = std::make_unique<LoopbackServer>([&](auto&, Poco::Net::HTTPServerResponse& resp) {
    resp.setChunkedTransferEncoding(true);
    std::ostream& out = resp.send();
    for (int i = 0; i < 20; ++i) {
      out << "chunk" << std::flush;
      if (!server->sleep_unless_stopping(std::chrono::milliseconds(100))) return;
    }
  });
  HttpClient client;
  auto req = request("GET", server->url("/drip"));
  req.timeout_ms = 400;
  const auto started = std::chrono::steady_clock::now();
  auto r = client.send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1200));
}

TEST(HttpClient, HttpsToAPlainHttpServerIsATransportError) {
  // The peer answers the TLS ClientHello with plain HTTP, as a misconfigured http:// endpoint would.
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  const auto port = listener.address().port();
  std::thread peer([&] {
    Poco::Net::StreamSocket s = listener.acceptConnection();
    char buf[512];
    s.setReceiveTimeout(Poco::Timespan(5, 0));
    s.receiveBytes(buf, sizeof buf);
    send_text(s, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    s.shutdown();
  });
  HttpClient client;
  auto req = request("GET", "https://127.0.0.1:" + std::to_string(port) + "/");
  req.timeout_ms = 3000;
  auto r = client.send(req);
  peer.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "transport");
  EXPECT_TRUE(r.error().retryable);
  EXPECT_THAT(r.error().message, HasSubstr("https://127.0.0.1:" + std::to_string(port)));
}

// A throwaway self-signed certificate for 127.0.0.1, made with the openssl CLI (skipped without it).
class TlsServer : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("appconnect-tls-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
        " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
        key().string() + "' -out '" + cert().string() + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "openssl CLI not available";
    server_context_ = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, key().string(), cert().string(), "",
                                             Poco::Net::Context::VERIFY_NONE);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path key() const { return dir_ / "key.pem"; }
  std::filesystem::path cert() const { return dir_ / "cert.pem"; }

  std::filesystem::path dir_;
  Poco::Net::Context::Ptr server_context_;
};

TEST_F(TlsServer, UntrustedCertificateIsRefused) {
  LoopbackServer server(echo_request, std::chrono::seconds(15), server_context_);
  HttpClient client; // system CA store only: a self-signed certificate must not pass
  auto r = client.send(request("GET", server.url("/")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "transport");
  EXPECT_THAT(r.error().message, HasSubstr("https://127.0.0.1:" + std::to_string(server.port())));
  EXPECT_EQ(server.requests(), 0);
}

TEST_F(TlsServer, TrustedCertificateWorksAndConnectionsAreReused) {
  LoopbackServer server(echo_request, std::chrono::seconds(15), server_context_);
  HttpClientOptions options;
  options.extra_ca_location = cert().string();
  HttpClient client(options);
  for (int i = 0; i < 3; ++i) {
    auto r = client.send(request("POST", server.url("/tls"), "secret body"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 201);
    EXPECT_EQ(body_of(r.value()).at("body"), "secret body");
  }
  EXPECT_EQ(server.connections(), 1u);
  EXPECT_EQ(client.stats().connections_reused, 2u);
}

TEST(HttpClient, UnusableRequestsAreRefusedWithoutNetworkAccess) {
  HttpClient client;
  for (const std::string url : {"ftp://example.com/file", "not a url", "http:///nohost", "http://example.com:99999/",
                                "http://user:hunter2@example.com/", "http://example.com/a path"}) {
    auto r = client.send(request("GET", url));
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error().code, "bad_request") << url;
    EXPECT_FALSE(r.error().retryable);
    EXPECT_THAT(r.error().message, Not(HasSubstr("hunter2")));
  }
  auto injected = request("GET", "http://127.0.0.1:1/");
  injected.headers["X-Evil"] = "a\r\nHost: elsewhere";
  auto r = client.send(injected);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "bad_request");
  EXPECT_THAT(r.error().message, HasSubstr("X-Evil"));
  EXPECT_EQ(client.stats().requests, 0u);
}

TEST(HttpClient, UrlOriginIsSafeToLog) {
  EXPECT_EQ(url_origin("https://API.Example.com/services/data?q=SELECT+Id"), "https://api.example.com:443");
  EXPECT_EQ(url_origin("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(url_origin("http://[::1]:9000/x"), "http://[::1]:9000");
  EXPECT_EQ(url_origin("HTTP://host?x=1"), "http://host:80");
  EXPECT_EQ(url_origin("mailto:someone"), "<invalid URL>");
}

} // namespace
} // namespace appconnect::httpclient
