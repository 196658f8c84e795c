/*
 * AppConnect plugin ABI, version 1.
 *
 * This header is the whole binary contract between the AppConnect host and a CRM connector plugin.
 * It is plain C (C11 / C++20, <stdint.h> and <stddef.h> only) so that a plugin built with another
 * compiler, standard library or set of flags than the host still loads. Plugin authors normally do not
 * use it directly: <appconnect/plugin.hpp> wraps it in an ordinary C++ class and one export macro.
 *
 * Shape ("hourglass"): every operation crosses as JSON text, in both directions. JSON documents are
 * forward and backward compatible: readers ignore fields they do not know, writers never remove a field
 * within a major version. No C++ type, exception, allocator or ownership crosses the boundary.
 *
 * Versioning rules (see docs/plugin-guide/abi-policy.md):
 *   - APPCONNECT_ABI_MAJOR changes only when a struct below changes incompatibly. A host loads plugins of
 *     its own major version only; a future v2 host keeps a v1 adapter so v1 plugins keep loading.
 *   - APPCONNECT_ABI_MINOR grows when a field is appended to the end of a struct or a new operation name
 *     is defined. A host accepts a plugin whose minor is lower than or equal to its own; it refuses a
 *     plugin built for a newer minor (the plugin could rely on host services the host does not have).
 *   - Every struct starts with `struct_size`. A reader checks `struct_size` before touching a field that
 *     was appended in a later minor, so structs can grow without breaking either side.
 *
 * Lifecycle (numbered, as the host performs it):
 *   1. The host opens the shared library and looks up the symbol APPCONNECT_ENTRY_SYMBOL.
 *   2. The host calls it once with its services table. The plugin returns its table, or NULL to refuse
 *      (for example when the host's major version differs); it may say why through host->log first.
 *   3. The host reads `manifest_json` (valid for the life of the library) and validates it.
 *   4. The host calls `invoke` any number of times, from any number of threads at once. A plugin must be
 *      thread-safe; it should keep no per-connection state of its own, since everything a call needs
 *      (base URLs, settings, access token) arrives in the call's context document.
 *   5. Before unloading, the host calls `shutdown` once (if non-NULL), after every `invoke` returned.
 *      Nothing may call back into the host after `shutdown` returns.
 *
 * Ownership: every pointer passed into a function is borrowed for the duration of that call only. Data
 * flows back through an appconnect_sink: the receiver copies what it is given before `write` returns, so
 * no memory is ever freed on the other side of the boundary.
 */
#ifndef APPCONNECT_ABI_H
#define APPCONNECT_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define APPCONNECT_ABI_MAJOR 1
#define APPCONNECT_ABI_MINOR 0

/* The one symbol a plugin exports. The "_v1" suffix lets a future major version add a second entry
 * point beside this one, so a single binary can serve two host generations. */
#define APPCONNECT_ENTRY_SYMBOL "appconnect_plugin_entry_v1"

#if defined(_WIN32)
#define APPCONNECT_EXPORT __declspec(dllexport)
#else
#define APPCONNECT_EXPORT __attribute__((visibility("default")))
#endif

/* Outcome of invoke and of host services. Negative values are reserved for the host's own use. */
typedef enum appconnect_status {
  APPCONNECT_STATUS_OK = 0,          /* the sink received the result document */
  APPCONNECT_STATUS_ERROR = 1,       /* the sink received an error document (see below) */
  APPCONNECT_STATUS_UNSUPPORTED = 2, /* the operation name is unknown to this plugin; sink untouched */
  APPCONNECT_STATUS_BAD_REQUEST = 3  /* the request document could not be understood; sink has error */
} appconnect_status;

/* Log levels for appconnect_host::log. */
typedef enum appconnect_log_level {
  APPCONNECT_LOG_DEBUG = 0,
  APPCONNECT_LOG_INFO = 1,
  APPCONNECT_LOG_WARN = 2,
  APPCONNECT_LOG_ERROR = 3
} appconnect_log_level;

/* Where a callee writes a document for its caller. `write` copies `size` bytes of UTF-8 JSON before it
 * returns; calling it again replaces what was written. `ctx` belongs to whoever created the sink. */
typedef struct appconnect_sink {
  void* ctx;
  void (*write)(void* ctx, const char* data, size_t size);
} appconnect_sink;

/* One operation call, from the host to the plugin. Borrowed for the duration of invoke.
 *
 * `operation` is a name from the operation reference (docs/plugin-guide/operations.md):
 *   describe, find_contacts, create_contact, create_call_log, update_call_log, find_log_by_external_id,
 *   create_message_log, update_message_log, list_users, oauth_authorize_url, oauth_exchange_code,
 *   oauth_refresh. New names arrive in minor versions; a plugin answers UNSUPPORTED to names it lacks.
 * `request_json` is the operation's input document.
 * `context_json` describes the connection: {"connection_id", "tenant_id", "settings": {...},
 *   "credentials": {"access_token", ...}}. It may hold secrets: never log it.
 * `call_handle` is opaque to the plugin; it must be passed back to every host service used while serving
 *   this call, so the host can apply the connection's rate limits, deadline and metrics.
 * `deadline_unix_ms` is when the host stops waiting for the result (0 = none). */
typedef struct appconnect_call {
  uint32_t struct_size;
  const char* operation;
  const char* request_json;
  size_t request_size;
  const char* context_json;
  size_t context_size;
  void* call_handle;
  int64_t deadline_unix_ms;
} appconnect_call;

/* Services the host offers to the plugin. Valid from the entry call until shutdown returns.
 * Every function is thread-safe. */
typedef struct appconnect_host {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  const char* host_name;    /* product name, e.g. "AppConnect" (partners may rename it) */
  const char* host_version; /* semantic version of the host */

  /* Writes one log line attributed to the plugin. `call_handle` may be NULL outside a call. */
  void (*log)(void* call_handle, appconnect_log_level level, const char* message, size_t size);

  /* Milliseconds since the Unix epoch by the host's clock (tests may move it). */
  int64_t (*now_unix_ms)(void* call_handle);

  /* Performs one HTTP request with the host's client (TLS with the system CA store, timeouts, the
   * connection's rate limiter, metrics). Blocks until the response or a transport failure.
   * Request document:  {"method","url","headers":{name:value},"body":"...","timeout_ms":N}
   * Response document: {"status":N,"headers":{lower-case name:value},"body":"..."}  -> OK
   * Transport failure: an error document with code "transport" or "timeout"         -> ERROR
   * An HTTP error status (4xx/5xx) is a response, not a failure: the plugin classifies it. */
  appconnect_status (*http_request)(void* call_handle, const char* request_json, size_t request_size,
                                    appconnect_sink* response);
} appconnect_host;

/* What the plugin gives the host. Must stay valid until the library is unloaded. */
typedef struct appconnect_plugin {
  uint32_t struct_size;
  uint16_t abi_major; /* the version the plugin was built against */
  uint16_t abi_minor;

  /* The manifest: {"id","name","version","abi":{"major","minor"},"capabilities":[...], ...}.
   * NUL-terminated UTF-8 JSON, the same document that ships beside the library as <file>.manifest.json. */
  const char* manifest_json;

  /* Runs one operation. Writes exactly one document to `result` unless it returns UNSUPPORTED:
   * the operation's result on OK, an error document on ERROR or BAD_REQUEST:
   *   {"code","message","retryable":bool,"retry_after_ms"?:N,"crm_status"?:N,"crm_error"?:{...}}
   * Must not throw, must not keep pointers from `call` after returning. */
  appconnect_status (*invoke)(const appconnect_call* call, appconnect_sink* result);

  /* Releases everything the plugin holds. May be NULL. */
  void (*shutdown)(void);
} appconnect_plugin;

/* The entry point's type. Returns NULL to refuse this host. */
typedef const appconnect_plugin* (*appconnect_entry_fn)(const appconnect_host* host);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* APPCONNECT_ABI_H */
