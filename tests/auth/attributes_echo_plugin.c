/* A fixture plugin for the auth tests: a client that subscribes to
 * "whoami" is sent "whoami" with its attributes
 * "<user.id>|<user.name>|<user.roles>", as the auth plugin set them. */
#include <stdio.h>
#include <string.h>

#include "plaza/plugin.h"

static const plaza_host_api* g_host;
static plaza_plugin* g_plugin;

static plaza_str S(const char* text) {
  plaza_str s = {text, strlen(text)};
  return s;
}

static size_t Get(plaza_client client, const char* key, char* out, size_t room) {
  size_t size = 0;
  if (g_host->get_attribute(g_plugin, client, S(key), out, room, &size) != PLAZA_OK) return 0;
  return size;
}

static plaza_verdict OnSubscribe(plaza_hook hook, void* event, void* user_data) {
  const plaza_subscribe_event* e = (const plaza_subscribe_event*)event;
  char id[128], name[128], roles[128], text[400];
  size_t n_id, n_name, n_roles;
  plaza_message m;
  (void)hook;
  (void)user_data;
  if (e->filter.size != 6 || memcmp(e->filter.data, "whoami", 6) != 0) return PLAZA_VERDICT_PASS;
  n_id = Get(e->client->client, "user.id", id, sizeof(id));
  n_name = Get(e->client->client, "user.name", name, sizeof(name));
  n_roles = Get(e->client->client, "user.roles", roles, sizeof(roles));
  snprintf(text, sizeof(text), "%.*s|%.*s|%.*s", (int)n_id, id, (int)n_name, name, (int)n_roles,
           roles);
  memset(&m, 0, sizeof(m));
  m.struct_size = sizeof(m);
  m.topic = S("whoami");
  m.payload = S(text);
  g_host->publish_to(g_plugin, e->client->client, &m);
  return PLAZA_VERDICT_PASS;
}

PLAZA_PLUGIN_EXPORT uint32_t plaza_plugin_negotiate(const uint32_t* offered, size_t count) {
  (void)offered;
  (void)count;
  return PLAZA_PLUGIN_ABI_VERSION;
}

PLAZA_PLUGIN_EXPORT int plaza_plugin_init(plaza_plugin* plugin, const plaza_host_api* host,
                                          const plaza_init_args* args, void** user_data) {
  (void)args;
  g_host = host;
  g_plugin = plugin;
  *user_data = NULL;
  return host->register_hook(plugin, PLAZA_HOOK_SUBSCRIBE, OnSubscribe, NULL) == PLAZA_OK ? 0 : 1;
}
