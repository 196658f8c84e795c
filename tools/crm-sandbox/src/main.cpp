// appconnect-crm-sandbox: serves one CRM emulator on loopback for tests, the demo and benchmarks.
//
//   appconnect-crm-sandbox --crm salesforce [--listen 127.0.0.1:0] [--seed FILE.json]
//                          [--port-file FILE] [--threads N] [--base-url URL] [--exit-with-parent]
//
// When ready it prints exactly one line to stdout, "listening on http://127.0.0.1:PORT", and writes
// the port to --port-file. It exits cleanly on SIGTERM or SIGINT.
#include "framework/emulator.hpp"
#include "framework/http_server.hpp"
#include "framework/json_util.hpp"
#include "framework/sandbox_app.hpp"

#include <boost/json.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include <pthread.h>
#include <unistd.h>

namespace {

struct Options {
  std::string crm;
  std::string host = "127.0.0.1";
  int port = 0;
  std::string seed_path;
  std::string port_file;
  std::string base_url;
  int threads = 128;
  bool exit_with_parent = false;
};

void usage(std::ostream& out) {
  std::string names;
  for (const auto& n : appconnect::crm_sandbox::emulator_names()) names += (names.empty() ? "" : "|") + n;
  out << "usage: appconnect-crm-sandbox --crm " << names
      << " [--listen HOST:PORT] [--seed FILE.json] [--port-file FILE]\n"
         "                              [--threads N] [--base-url URL] [--exit-with-parent]\n"
         "  --listen            address to bind (default 127.0.0.1:0, any free port)\n"
         "  --seed              seed document (connected apps, users, records; see seeds/)\n"
         "  --port-file         write the bound port to this file once listening\n"
         "  --threads           max concurrent connections served (default 128)\n"
         "  --base-url          URL clients reach the sandbox at (default http://HOST:PORT)\n"
         "  --exit-with-parent  exit when the parent process dies (test harnesses)\n"
         "Control API under /__sandbox/ (health, config, requests, records, reset, expire-tokens).\n";
}

bool parse_args(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    const auto eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (arg != "--exit-with-parent" && arg != "--help" && arg != "-h") {
      if (i + 1 >= argc) {
        std::cerr << "missing value for " << arg << "\n";
        return false;
      }
      value = argv[++i];
    }
    if (arg == "--crm") {
      o.crm = value;
    } else if (arg == "--listen") {
      const auto colon = value.rfind(':');
      if (colon == std::string::npos) {
        std::cerr << "--listen wants HOST:PORT\n";
        return false;
      }
      o.host = value.substr(0, colon);
      try {
        o.port = std::stoi(value.substr(colon + 1));
      } catch (const std::exception&) {
        o.port = -1;
      }
      if (o.port < 0 || o.port > 65535) {
        std::cerr << "bad port in --listen " << value << "\n";
        return false;
      }
    } else if (arg == "--seed") {
      o.seed_path = value;
    } else if (arg == "--port-file") {
      o.port_file = value;
    } else if (arg == "--base-url") {
      o.base_url = value;
    } else if (arg == "--threads") {
      o.threads = std::atoi(value.c_str());
      if (o.threads < 2) {
        std::cerr << "--threads must be at least 2\n";
        return false;
      }
    } else if (arg == "--exit-with-parent") {
      o.exit_with_parent = true;
    } else if (arg == "--help" || arg == "-h") {
      usage(std::cout);
      std::exit(0);
    } else {
      std::cerr << "unknown option " << arg << "\n";
      return false;
    }
  }
  if (o.crm.empty()) {
    std::cerr << "--crm is required\n";
    return false;
  }
  return true;
}

boost::json::value read_seed(const std::string& path) {
  if (path.empty()) return nullptr;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read seed file " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string error;
  auto v = appconnect::crm_sandbox::try_parse_json(text.str(), &error);
  if (!v) throw std::runtime_error("seed file " + path + " is not valid JSON: " + error);
  return *v;
}

void write_port_file(const std::string& path, unsigned port) {
  // Write then rename, so a harness polling the file never reads a half-written port.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write port file " + path);
    out << port << "\n";
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot write port file " + path);
}

} // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_args(argc, argv, options)) {
    usage(std::cerr);
    return 2;
  }

  // Block the stop signals before any thread exists, so every thread inherits the mask and the main
  // thread alone receives them through sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN); // a client hanging up mid-response must not kill the server

  try {
    appconnect::crm_sandbox::SandboxApp app(options.crm, read_seed(options.seed_path));
    appconnect::crm_sandbox::HttpServer server(
        app, {options.host, static_cast<std::uint16_t>(options.port), options.threads});
    server.start();
    const std::string host = options.host == "0.0.0.0" ? "127.0.0.1" : options.host;
    const std::string url = "http://" + host + ":" + std::to_string(server.port());
    app.set_base_url(options.base_url.empty() ? url : options.base_url);
    if (!options.port_file.empty()) write_port_file(options.port_file, server.port());
    std::cout << "listening on " << url << std::endl; // the one line harnesses wait for; flushed

    if (options.exit_with_parent) {
      // A crashed test harness must not leave sandboxes behind: poll for re-parenting.
      const pid_t parent = getppid();
      std::thread([parent] {
        while (getppid() == parent) std::this_thread::sleep_for(std::chrono::milliseconds(250));
        kill(getpid(), SIGTERM);
      }).detach();
    }

    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    std::cerr << "appconnect-crm-sandbox: signal " << signal_number << ", stopping\n";
    server.stop();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "appconnect-crm-sandbox: " << e.what() << "\n";
    return 1;
  }
}
