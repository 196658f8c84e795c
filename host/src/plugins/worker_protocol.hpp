// The pipe protocol between the host and appconnect-plugin-worker (docs/adr/0008-plugin-isolation.md).
//
// A frame is a 4-byte big-endian payload length followed by that many bytes of UTF-8 JSON. One worker
// serves one call at a time, so frames need no request ids: while a call runs, every frame the worker
// sends is either a host-service request the host answers at once ("now", "http") or a one-way "log",
// until the final "result". Message shapes:
//   worker -> host  {"t":"ready","manifest":{...}}            first frame: the plugin passed the checks
//                   {"t":"refused","reason":"..."}            first frame: the loader refused it
//                   {"t":"log","level":N,"message":"...","call":bool}  no answer; call=false: written
//                                                             outside any call (not this call's line)
//                   {"t":"now"}                               -> {"t":"now","ms":N}
//                   {"t":"http","request":{...}}              -> {"t":"http","ok":true,"response":{...}}
//                                                                | {"t":"http","ok":false,"error":{...}}
//                   {"t":"result","ok":true,"value":...}      | {"t":"result","ok":false,"error":{...}}
//   host -> worker  {"t":"invoke","operation":"...","request":...,"context":{...},
//                    "scope":{"plugin_id","connection_id","tenant_id","deadline_unix_ms"}}
// Closing the host's end of the request pipe asks the worker to shut the plugin down and exit.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace appconnect::plugins::worker_protocol {

// A frame larger than this is a protocol violation (a reply this large would not fit the job model
// anyway); it stops the reader before it allocates.
inline constexpr std::uint32_t kMaxFrameBytes = 64u << 20;

using Deadline = std::optional<std::chrono::steady_clock::time_point>; // nullopt = wait as long as it takes

enum class IoStatus { kOk, kClosed, kTimeout, kTooLarge, kError };

const char* describe(IoStatus status);

// Writes one frame. Works on blocking and non-blocking descriptors (waits for room with poll).
IoStatus write_frame(int fd, std::string_view payload, Deadline deadline = std::nullopt);

// Reads one frame into `payload`. kClosed: the peer closed its end before a whole frame arrived.
IoStatus read_frame(int fd, std::string& payload, Deadline deadline = std::nullopt);

} // namespace appconnect::plugins::worker_protocol
