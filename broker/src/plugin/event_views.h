// C views of the core's facts (and, from message_convert.h, messages), built
// on the stack for the duration of one hook call; shared by the host's hook
// chains.
#ifndef PLAZA_BROKER_PLUGIN_EVENT_VIEWS_H_
#define PLAZA_BROKER_PLUGIN_EVENT_VIEWS_H_

#include "common/log.h"
#include "core/hooks.h"
#include "plugin/message_convert.h"
#include "plugin/plugin_record.h"

namespace plaza::broker {

// Fills the C view of a client from the core's facts.
struct ClientInfoView {
  explicit ClientInfoView(const ClientFacts& facts) {
    info.struct_size = sizeof(info);
    info.client = facts.id;
    info.client_id = Str(facts.client_id);
    info.username = facts.username ? Str(*facts.username) : plaza_str{nullptr, 0};
    info.address = Str(facts.address);
    info.protocol_version = facts.protocol_level;
    info.clean_start = facts.clean_start ? 1 : 0;
    info.keep_alive = facts.keep_alive;
    info.connected_at_ms = facts.connected_at_ms;
  }
  plaza_client_info info{};
};

// A verdict a plugin returned that this hook does not accept.
inline void WarnVerdict(const plaza_plugin& plugin, const char* hook, plaza_verdict verdict) {
  PLAZA_LOG(kWarning) << "[" << plugin.name << "] " << hook << " hook returned verdict "
                      << static_cast<int>(verdict) << ", which it may not; treated as DENY";
}

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_PLUGIN_EVENT_VIEWS_H_
