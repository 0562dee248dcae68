/*
 * plaza/plugin.h -- the C ABI between plaza-broker and its plugins.
 *
 * A plugin is a shared object that room logic lives in: authentication,
 * rooms, ownership, permissions. It sees every connection, subscription and
 * message through hooks, and acts through the services in the host table.
 * This header is plain C with standard headers only, so a plugin can be
 * written in C, C++ (see plaza/plugin.hpp) or anything with a C FFI.
 *
 * COMPATIBILITY PROMISE
 *   - PLAZA_PLUGIN_ABI_VERSION is raised only when an existing function or
 *     field changes meaning. Within one version, structs only grow at their
 *     end: every struct the host hands out starts with `struct_size`, and a
 *     plugin reads a field only if `offsetof(field) < struct_size`. Every
 *     function pointer appended to plaza_host_api may be NULL in an older
 *     broker of the same version: test before calling.
 *   - A plugin built against ABI version N loads into any broker that offers
 *     N. A plugin asking for a version the broker does not offer is refused
 *     at load with an error naming the plugin and both versions.
 *
 * LIFECYCLE
 *   The broker dlopen()s each plugin listed under `plugins:` in its YAML, in
 *   order, and calls
 *     1. plaza_plugin_negotiate()  -- required: pick the ABI version;
 *     2. plaza_plugin_init()       -- required: register hooks, read config;
 *        a non-zero return refuses the plugin and stops the broker's start;
 *     3. ... hooks ...
 *     4. plaza_plugin_cleanup()    -- optional: at shutdown, after the last
 *        hook has returned and no worker thread will call it again.
 *   Hooks of several plugins run in configuration order.
 *
 * THREADING CONTRACT
 *   - The broker runs one worker thread per core. Each client belongs to one
 *     worker for its whole connection, and every hook about that client
 *     (connect, subscribe, publish, unsubscribe, disconnect) runs on that
 *     worker, one at a time, in the order the client's packets arrived.
 *   - Hooks about *different* clients run concurrently on different workers:
 *     state a plugin shares between clients needs its own locking.
 *   - A hook must not block: no network or disk waits. Return
 *     PLAZA_VERDICT_PENDING and answer later with complete() instead; that
 *     client's packets wait meanwhile, no other client does.
 *   - Every host service may be called from any thread, including the
 *     plugin's own threads, except where its comment says otherwise.
 *     Services that act on a client (publish_to, kick, subscribe, ...) are
 *     carried out on the client's worker shortly after the call returns.
 *   - Timer callbacks run one at a time on the host's timer thread (not a
 *     worker: they may take their time, but not forever). Reload runs on the broker's
 *     main thread while workers may be running other hooks of the plugin;
 *     cleanup runs on the main thread after every worker has stopped.
 *
 * OWNERSHIP
 *   - plaza_str values the host passes are borrowed views, valid until the
 *     hook (or the service call) returns, and not NUL-terminated. Copy what
 *     you keep.
 *   - plaza_str values a plugin passes to the host are copied before the
 *     call returns; the plugin keeps ownership of its memory.
 *   - Out-fields a hook writes into its event (a rewrite, a reason string)
 *     are read by the host right after the hook returns, so they must not
 *     point into the hook's own stack frame: use memory the plugin owns
 *     (thread-local buffers, or per-client state). The host copies them
 *     before it calls any other hook on that thread.
 *   - No exception, longjmp or C++ unwinding may cross this ABI.
 */
#ifndef PLAZA_PLUGIN_H_
#define PLAZA_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. */
#define PLAZA_PLUGIN_ABI_VERSION 1u

/* Marks the entry points a plugin exports. */
#if defined(__GNUC__)
#define PLAZA_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define PLAZA_PLUGIN_EXPORT
#endif

/* ------------------------------------------------------------------------ */
/* Basic types                                                              */
/* ------------------------------------------------------------------------ */

/* A borrowed byte string: `size` bytes at `data`, not NUL-terminated. An
 * absent value is {NULL, 0}; an empty one is {"", 0}. */
typedef struct plaza_str {
  const char* data;
  size_t size;
} plaza_str;

/* A connected client, as long as its connection lasts. 0 is never a client.
 * A handle may outlive its connection: services then return
 * PLAZA_ERR_NO_CLIENT. */
typedef uint64_t plaza_client;

/* The token of a hook answered later (PLAZA_VERDICT_PENDING). */
typedef uint64_t plaza_pending;

/* The plugin as the host knows it; passed back to every service. */
typedef struct plaza_plugin plaza_plugin;

/* Results of host services. */
typedef enum plaza_status {
  PLAZA_OK = 0,
  PLAZA_ERR_INVALID = 1,     /* an argument is malformed (e.g. a bad topic) */
  PLAZA_ERR_NO_CLIENT = 2,   /* the client is gone */
  PLAZA_ERR_NOT_FOUND = 3,   /* no such attribute, timer or pending token */
  PLAZA_ERR_TOO_LARGE = 4,   /* the value exceeds a limit, or a buffer is too small */
  PLAZA_ERR_UNSUPPORTED = 5, /* not available in this broker or for this client */
} plaza_status;

/* What a hook says about the event it was shown. */
typedef enum plaza_verdict {
  /* No opinion: the next plugin decides. When every plugin passes, the
   * event is allowed. */
  PLAZA_VERDICT_PASS = 0,
  /* Allowed; the plugins after this one are not asked. */
  PLAZA_VERDICT_ALLOW = 1,
  /* Refused, with the event's `reason_code` (an MQTT 5 reason code; the
   * broker maps it for MQTT 3.1.1 clients). */
  PLAZA_VERDICT_DENY = 2,
  /* Publish and delivery hooks only: dropped without telling the client
   * (a QoS 1/2 PUBLISH is still acknowledged as a success). */
  PLAZA_VERDICT_DROP = 3,
  /* The answer comes later through complete(event->pending, ...). Not for
   * delivery, disconnect, timer, reload or control hooks. */
  PLAZA_VERDICT_PENDING = 4,
  /* Connect and auth hooks only, MQTT 5 enhanced authentication: send an
   * AUTH packet "continue authentication" with the event's `auth_data_out`
   * and call the auth hook with the client's answer. */
  PLAZA_VERDICT_CONTINUE = 5,
} plaza_verdict;

typedef enum plaza_log_level {
  PLAZA_LOG_DEBUG = 0,
  PLAZA_LOG_INFO = 1,
  PLAZA_LOG_WARNING = 2,
  PLAZA_LOG_ERROR = 3,
} plaza_log_level;

/* An MQTT 5 user property. */
typedef struct plaza_user_property {
  plaza_str key;
  plaza_str value;
} plaza_user_property;

/* ------------------------------------------------------------------------ */
/* What hooks are shown                                                     */
/* ------------------------------------------------------------------------ */

/* Facts about a client, fixed for its connection. */
typedef struct plaza_client_info {
  size_t struct_size;
  plaza_client client;
  plaza_str client_id;
  plaza_str username;       /* {NULL, 0} when the client sent none */
  plaza_str address;        /* the peer, "1.2.3.4:5678" or "[::1]:5678" */
  uint8_t protocol_version; /* 4 = MQTT 3.1.1, 5 = MQTT 5.0 */
  uint8_t clean_start;      /* clean session (3.1.1) / clean start (5.0) */
  uint16_t keep_alive;      /* seconds, as agreed */
  int64_t connected_at_ms;  /* Unix time in milliseconds */
  void* reserved[4];
} plaza_client_info;

/* An application message. */
typedef struct plaza_message {
  size_t struct_size;
  plaza_str topic;
  plaza_str payload;
  uint8_t qos;
  uint8_t retain;
  /* MQTT 5 properties; absent ones are {NULL, 0} or 0. */
  uint8_t payload_format; /* 0 bytes, 1 UTF-8 */
  uint8_t has_message_expiry;
  uint32_t message_expiry_s;
  plaza_str content_type;
  plaza_str response_topic;
  plaza_str correlation_data;
  const plaza_user_property* user_properties;
  size_t user_property_count;
  void* reserved[6];
} plaza_message;

/* PLAZA_HOOK_CONNECT: a CONNECT arrived, before CONNACK. Also used for
 * PLAZA_HOOK_AUTH: an MQTT 5 AUTH packet, during connecting (after a plugin
 * answered CONTINUE) or after it (`reauthenticate`: the client asked to
 * re-authenticate, or continues doing so).
 *
 * MQTT 5 enhanced authentication: when the CONNECT names an
 * `auth_method`, a plugin that knows the method answers ALLOW (CONNACK
 * success, with `auth_data_out` as its Authentication Data if set),
 * CONTINUE (the client is sent AUTH 0x18 with `auth_data_out`; its answer
 * comes to the auth hook) or DENY. If every plugin passes, no plugin knows
 * the method and the client is refused with 0x8C (bad authentication
 * method) -- an unknown method is never waved through. A failed
 * re-authentication disconnects the client with the reason code. */
typedef struct plaza_connect_event {
  size_t struct_size;
  const plaza_client_info* client;
  plaza_str password;    /* {NULL, 0} when absent */
  plaza_str auth_method; /* MQTT 5 enhanced authentication */
  plaza_str auth_data;
  plaza_pending pending; /* for PLAZA_VERDICT_PENDING */
  /* Out. */
  uint8_t reason_code;     /* with DENY, e.g. 0x86 bad user name or password */
  plaza_str reason_string; /* optional, sent to MQTT 5 clients */
  plaza_str auth_data_out; /* with CONTINUE or ALLOW, for MQTT 5 AUTH/CONNACK */
  uint8_t reauthenticate;  /* auth hook: after CONNACK (section 4.12.1) */
  void* reserved[7];
} plaza_connect_event;

/* PLAZA_HOOK_SUBSCRIBE: one topic filter of a SUBSCRIBE. */
typedef struct plaza_subscribe_event {
  size_t struct_size;
  const plaza_client_info* client;
  plaza_str filter;      /* for a shared subscription, without "$share/group/" */
  plaza_str share_group; /* {NULL, 0} unless shared */
  uint8_t requested_qos;
  uint8_t options; /* MQTT 5 subscription options byte */
  plaza_pending pending;
  /* Out. */
  uint8_t granted_qos; /* starts as requested_qos; a plugin may lower it */
  uint8_t reason_code; /* with DENY, e.g. 0x87 not authorized */
  void* reserved[8];
} plaza_subscribe_event;

/* PLAZA_HOOK_PUBLISH: a PUBLISH from a client, before it is routed. */
typedef struct plaza_publish_event {
  size_t struct_size;
  const plaza_client_info* client;
  const plaza_message* message;
  plaza_pending pending;
  /* Out. */
  const plaza_message* rewrite; /* with ALLOW or PASS: route this instead */
  uint8_t reason_code;          /* with DENY: sent in PUBACK/PUBREC to MQTT 5 clients */
  void* reserved[8];
} plaza_publish_event;

/* PLAZA_HOOK_DELIVER: a message about to be queued for one subscriber. Runs
 * on the subscriber's worker for every delivery, so it is paid for only
 * while some plugin registers it; keep it cheap. */
typedef struct plaza_deliver_event {
  size_t struct_size;
  const plaza_client_info* subscriber;
  const plaza_message* message;
  plaza_str publisher_client_id; /* {NULL, 0} for messages the server published */
  /* Out. */
  const plaza_message* rewrite; /* with ALLOW or PASS: deliver this instead */
  void* reserved[8];
} plaza_deliver_event;

/* PLAZA_HOOK_UNSUBSCRIBE: one topic filter of an UNSUBSCRIBE (informative). */
typedef struct plaza_unsubscribe_event {
  size_t struct_size;
  const plaza_client_info* client;
  plaza_str filter;
  void* reserved[4];
} plaza_unsubscribe_event;

/* Why a connection ended. */
typedef enum plaza_disconnect_cause {
  PLAZA_DISCONNECT_NORMAL = 0,         /* the client sent DISCONNECT */
  PLAZA_DISCONNECT_NETWORK = 1,        /* the connection was lost (will sent) */
  PLAZA_DISCONNECT_KEEP_ALIVE = 2,     /* keep-alive expired (will sent) */
  PLAZA_DISCONNECT_TAKEOVER = 3,       /* same client id connected again */
  PLAZA_DISCONNECT_KICKED = 4,         /* a plugin kicked it */
  PLAZA_DISCONNECT_PROTOCOL_ERROR = 5, /* malformed or forbidden packet */
  PLAZA_DISCONNECT_OVERFLOW = 6,       /* could not keep up with its queue */
  PLAZA_DISCONNECT_SHUTDOWN = 7,       /* the broker is stopping */
} plaza_disconnect_cause;

/* PLAZA_HOOK_DISCONNECT: a client that connected successfully is gone. */
typedef struct plaza_disconnect_event {
  size_t struct_size;
  const plaza_client_info* client;
  plaza_disconnect_cause cause;
  uint8_t will_published;
  void* reserved[4];
} plaza_disconnect_event;

/* PLAZA_HOOK_RELOAD: the broker re-read its configuration (SIGHUP). */
typedef struct plaza_reload_event {
  size_t struct_size;
  plaza_str config_yaml; /* this plugin's `config:` subtree, as YAML */
  void* reserved[4];
} plaza_reload_event;

/* PLAZA_HOOK_CONTROL: a client published to "$CONTROL/<plugin name>/...".
 * Such messages go to the plugin only, never to subscribers. */
typedef struct plaza_control_event {
  size_t struct_size;
  const plaza_client_info* client;
  plaza_str subtopic; /* what follows "$CONTROL/<plugin name>/" */
  const plaza_message* message;
  void* reserved[4];
} plaza_control_event;

/* PLAZA_HOOK_ATTRIBUTE: an attribute of a client was set or deleted, by any
 * plugin (this one included). Informative. Runs on the client's worker after
 * the change, once per change and in their order, so a plugin can act on a
 * role it did not set (e.g. drop subscriptions the new role may not hold).
 * Setting a value equal to the current one is not a change. */
typedef struct plaza_attribute_event {
  size_t struct_size;
  const plaza_client_info* client;
  plaza_str key;
  plaza_str value; /* the new value; {NULL, 0} when deleted */
  uint8_t deleted;
  void* reserved[4];
} plaza_attribute_event;

typedef enum plaza_hook {
  PLAZA_HOOK_CONNECT = 1,     /* plaza_connect_event */
  PLAZA_HOOK_AUTH = 2,        /* plaza_connect_event */
  PLAZA_HOOK_SUBSCRIBE = 3,   /* plaza_subscribe_event */
  PLAZA_HOOK_PUBLISH = 4,     /* plaza_publish_event */
  PLAZA_HOOK_DELIVER = 5,     /* plaza_deliver_event */
  PLAZA_HOOK_UNSUBSCRIBE = 6, /* plaza_unsubscribe_event */
  PLAZA_HOOK_DISCONNECT = 7,  /* plaza_disconnect_event */
  PLAZA_HOOK_RELOAD = 8,      /* plaza_reload_event */
  PLAZA_HOOK_CONTROL = 9,     /* plaza_control_event */
  PLAZA_HOOK_ATTRIBUTE = 10,  /* plaza_attribute_event */
} plaza_hook;

/* Every hook has this signature; `event` points to the struct named beside
 * its plaza_hook value. Returns the verdict (ignored for informative hooks:
 * unsubscribe, disconnect, reload, control, attribute). */
typedef plaza_verdict (*plaza_hook_fn)(plaza_hook hook, void* event, void* user_data);

/* A timer callback; runs on the host's timer thread. */
typedef void (*plaza_timer_fn)(void* user_data);

/* How a PENDING hook ends. PASS means what it means for a hook that answers
 * at once: the next plugin in the chain decides. */
typedef struct plaza_completion {
  size_t struct_size;
  plaza_verdict verdict; /* ALLOW, DENY, DROP, PASS or CONTINUE */
  uint8_t reason_code;
  uint8_t granted_qos; /* subscribe */
  plaza_str reason_string;
  plaza_str auth_data_out;
  const plaza_message* rewrite; /* publish */
  void* reserved[8];
} plaza_completion;

/* A metric label: `name` matches [a-zA-Z_][a-zA-Z0-9_]*. */
typedef struct plaza_label {
  plaza_str name;
  plaza_str value;
} plaza_label;

/* ------------------------------------------------------------------------ */
/* What the host offers                                                     */
/* ------------------------------------------------------------------------ */

typedef struct plaza_host_api {
  /* sizeof(plaza_host_api) of the broker; a function exists only if its
   * offset is below struct_size and it is not NULL. */
  size_t struct_size;
  uint32_t abi_version;

  /* Hooks. Call from plaza_plugin_init only (later calls return
   * PLAZA_ERR_UNSUPPORTED): the chains are fixed before the first client.
   * A plugin registers at most one function per hook. */
  plaza_status (*register_hook)(plaza_plugin* plugin, plaza_hook hook, plaza_hook_fn fn,
                                void* user_data);
  plaza_status (*unregister_hook)(plaza_plugin* plugin, plaza_hook hook);

  /* Ends a hook that returned PLAZA_VERDICT_PENDING. Any thread, once per
   * token, even before the hook has returned PENDING (an answer from the
   * plugin's own thread may be that quick: the broker keeps it until the
   * hook returns). A token answered already or past its deadline returns
   * PLAZA_ERR_NOT_FOUND (for a deadline, the broker already applied the
   * plugin's configured timeout policy); a token of another plugin's hook,
   * PLAZA_ERR_INVALID. */
  plaza_status (*complete)(plaza_plugin* plugin, plaza_pending pending,
                           const plaza_completion* completion);

  /* Publishes as the server to every matching subscriber. No publish hook
   * runs for it; delivery hooks do. */
  plaza_status (*publish)(plaza_plugin* plugin, const plaza_message* message);
  /* Sends a message to one client only, whatever its subscriptions. */
  plaza_status (*publish_to)(plaza_plugin* plugin, plaza_client client,
                             const plaza_message* message);

  /* Subscribes or unsubscribes a client server-side, as if it had sent the
   * packet (retained messages are delivered; no hook runs). */
  plaza_status (*subscribe)(plaza_plugin* plugin, plaza_client client, plaza_str filter,
                            uint8_t qos);
  plaza_status (*unsubscribe)(plaza_plugin* plugin, plaza_client client, plaza_str filter);

  /* Disconnects a client. `reason_code` and `server_reference` go into an
   * MQTT 5 DISCONNECT; `with_will` publishes its will. */
  plaza_status (*kick)(plaza_plugin* plugin, plaza_client client, uint8_t reason_code,
                       int with_will, plaza_str server_reference);

  /* Copies the facts about `client` into `info` (info->struct_size must be
   * set by the caller). The strings point into `buffer` of `buffer_size`;
   * PLAZA_ERR_TOO_LARGE when it is too small. */
  plaza_status (*client_info)(plaza_plugin* plugin, plaza_client client, plaza_client_info* info,
                              char* buffer, size_t buffer_size);

  /* Client attributes: string key/values any plugin attaches to a client
   * and every plugin reads; gone with the connection. get_attribute copies
   * the value into `buffer` and sets *value_size (PLAZA_ERR_TOO_LARGE with
   * *value_size set when the buffer is too small). */
  plaza_status (*set_attribute)(plaza_plugin* plugin, plaza_client client, plaza_str key,
                                plaza_str value);
  plaza_status (*get_attribute)(plaza_plugin* plugin, plaza_client client, plaza_str key,
                                char* buffer, size_t buffer_size, size_t* value_size);
  plaza_status (*delete_attribute)(plaza_plugin* plugin, plaza_client client, plaza_str key);

  /* Timers: `fn` runs after `delay_ms`, then every `interval_ms` if it is
   * not 0. Returns a timer id (never 0) for cancel_timer, or 0 on error. */
  uint64_t (*add_timer)(plaza_plugin* plugin, uint32_t delay_ms, uint32_t interval_ms,
                        plaza_timer_fn fn, void* user_data);
  plaza_status (*cancel_timer)(plaza_plugin* plugin, uint64_t timer);

  /* Writes a line to the broker's log, prefixed with the plugin's name. */
  void (*log)(plaza_plugin* plugin, plaza_log_level level, plaza_str message);

  /* Metrics shown with the broker's own, named "plaza_plugin_<plugin>_<name>".
   * A counter only grows; a gauge is set. Ids are never 0. */
  uint64_t (*counter)(plaza_plugin* plugin, plaza_str name, plaza_str help);
  void (*counter_add)(plaza_plugin* plugin, uint64_t counter, uint64_t amount);
  uint64_t (*gauge)(plaza_plugin* plugin, plaza_str name, plaza_str help);
  void (*gauge_set)(plaza_plugin* plugin, uint64_t gauge, double value);

  /* --- Appended in the second release of ABI 1: test before calling. --- */

  /* Conflation of state messages. Call from plaza_plugin_init only (later
   * calls return PLAZA_ERR_UNSUPPORTED). QoS 0 messages whose topic matches
   * `filter` carry state where only the newest value matters (an avatar
   * pose): while a subscriber's queue holds a message on a topic that has
   * not begun to be written to its socket, a newer message on the same
   * topic replaces it in place instead of queueing behind it. A subscriber
   * that keeps up sees every message; one that falls behind sees the newest
   * state of every topic, never stale history. Each replaced message is
   * counted in plaza_conflated_messages_total. PLAZA_ERR_INVALID for a
   * malformed filter. */
  plaza_status (*conflate)(plaza_plugin* plugin, plaza_str filter);

  /* Metrics with labels: one family per `name` (its `help` is taken from
   * the first call), one series per distinct label set, each with its own
   * id for counter_add / gauge_set. Returns 0 for a malformed name or label,
   * or a name already used with another kind or other label names. Series
   * are never removed: label by bounded sets (rooms, not clients). */
  uint64_t (*counter_labeled)(plaza_plugin* plugin, plaza_str name, plaza_str help,
                              const plaza_label* labels, size_t label_count);
  uint64_t (*gauge_labeled)(plaza_plugin* plugin, plaza_str name, plaza_str help,
                            const plaza_label* labels, size_t label_count);
} plaza_host_api;

/* What init is given. */
typedef struct plaza_init_args {
  size_t struct_size;
  plaza_str name;        /* the plugin's name (its `name:` or file stem) */
  plaza_str config_yaml; /* its `config:` subtree, as YAML ("" if none) */
  void* reserved[4];
} plaza_init_args;

/* ------------------------------------------------------------------------ */
/* What a plugin exports                                                    */
/* ------------------------------------------------------------------------ */

/* Required. `offered` lists the ABI versions the broker can serve. Return
 * one of them, or -- when none fits -- the version the plugin needs, so the
 * broker can name it in its refusal. Usually:
 *   return PLAZA_PLUGIN_ABI_VERSION; */
PLAZA_PLUGIN_EXPORT uint32_t plaza_plugin_negotiate(const uint32_t* offered, size_t count);

/* Required. Called once, on the main thread, before any hook. Register
 * hooks with host->register_hook and keep `plugin` and `host` for later
 * calls. *user_data is handed to cleanup. Return 0 on success; anything
 * else refuses the plugin (the broker does not start). */
PLAZA_PLUGIN_EXPORT int plaza_plugin_init(plaza_plugin* plugin, const plaza_host_api* host,
                                          const plaza_init_args* args, void** user_data);

/* Optional. Called once at shutdown, on the main thread, after the last
 * hook and timer of this plugin have returned. */
PLAZA_PLUGIN_EXPORT void plaza_plugin_cleanup(void* user_data);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PLAZA_PLUGIN_H_ */
