#include "plugins/worker_protocol.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace appconnect::plugins::worker_protocol {
namespace {

using Clock = std::chrono::steady_clock;

// Waits until `fd` is ready for `events`; the remaining time of `deadline` bounds the wait.
IoStatus wait_ready(int fd, short events, const Deadline& deadline) {
  for (;;) {
    int timeout_ms = -1;
    if (deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
      if (left <= 0) return IoStatus::kTimeout;
      timeout_ms = static_cast<int>(std::min<long long>(left, 1 << 30));
    }
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoStatus::kError;
    }
    if (n == 0) continue; // the loop re-checks the deadline
    // POLLHUP with data still buffered: let read() drain it first and report EOF after.
    if ((p.revents & events) != 0 || (p.revents & POLLHUP) != 0) return IoStatus::kOk;
    if ((p.revents & (POLLERR | POLLNVAL)) != 0) return IoStatus::kError;
  }
}

IoStatus write_all(int fd, const char* data, std::size_t size, const Deadline& deadline) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n > 0) {
      data += n;
      size -= static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (auto s = wait_ready(fd, POLLOUT, deadline); s != IoStatus::kOk) return s;
      continue;
    }
    return n < 0 && errno == EPIPE ? IoStatus::kClosed : IoStatus::kError;
  }
  return IoStatus::kOk;
}

// Reads exactly `size` bytes (never more: the next frame stays in the pipe for the next call).
IoStatus read_exact(int fd, char* data, std::size_t size, const Deadline& deadline) {
  while (size > 0) {
    if (auto s = wait_ready(fd, POLLIN, deadline); s != IoStatus::kOk) return s;
    const ssize_t n = ::read(fd, data, size);
    if (n > 0) {
      data += n;
      size -= static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) return IoStatus::kClosed;
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
    return IoStatus::kError;
  }
  return IoStatus::kOk;
}

} // namespace

const char* describe(IoStatus status) {
  switch (status) {
    case IoStatus::kOk:
      return "ok";
    case IoStatus::kClosed:
      return "the pipe was closed";
    case IoStatus::kTimeout:
      return "timed out";
    case IoStatus::kTooLarge:
      return "a frame exceeded the size limit";
    case IoStatus::kError:
      break;
  }
  return "pipe I/O failed";
}

IoStatus write_frame(int fd, std::string_view payload, Deadline deadline) {
  if (payload.size() > kMaxFrameBytes) return IoStatus::kTooLarge;
  const auto n = static_cast<std::uint32_t>(payload.size());
  const std::array<char, 4> header{static_cast<char>((n >> 24) & 0xff), static_cast<char>((n >> 16) & 0xff),
                                   static_cast<char>((n >> 8) & 0xff), static_cast<char>(n & 0xff)};
  if (auto s = write_all(fd, header.data(), header.size(), deadline); s != IoStatus::kOk) return s;
  return write_all(fd, payload.data(), payload.size(), deadline);
}

IoStatus read_frame(int fd, std::string& payload, Deadline deadline) {
  std::array<unsigned char, 4> header{};
  if (auto s = read_exact(fd, reinterpret_cast<char*>(header.data()), header.size(), deadline); s != IoStatus::kOk)
    return s;
  const std::uint32_t n = (std::uint32_t{header[0]} << 24) | (std::uint32_t{header[1]} << 16) |
                          (std::uint32_t{header[2]} << 8) | std::uint32_t{header[3]};
  if (n > kMaxFrameBytes) return IoStatus::kTooLarge;
  payload.assign(n, '\0');
  return read_exact(fd, payload.data(), n, deadline);
}

} // namespace appconnect::plugins::worker_protocol
