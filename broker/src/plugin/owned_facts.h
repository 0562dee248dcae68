// A client's facts with their strings owned: what the host keeps about a
// client beyond one hook call (the client table, parked chains), and how
// it turns them back into the core's ClientFacts view.
#ifndef PLAZA_BROKER_PLUGIN_OWNED_FACTS_H_
#define PLAZA_BROKER_PLUGIN_OWNED_FACTS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "core/hooks.h"

namespace plaza::broker {

struct OwnedFacts {
  uint64_t id = 0;
  std::string client_id;
  std::optional<std::string> username;
  std::string address;
  uint8_t protocol_level = 4;
  bool clean_start = true;
  uint16_t keep_alive = 0;
  int64_t connected_at_ms = 0;

  static OwnedFacts From(const ClientFacts& facts) {
    OwnedFacts owned;
    owned.id = facts.id;
    owned.client_id = std::string(facts.client_id);
    if (facts.username) owned.username = std::string(*facts.username);
    owned.address = std::string(facts.address);
    owned.protocol_level = facts.protocol_level;
    owned.clean_start = facts.clean_start;
    owned.keep_alive = facts.keep_alive;
    owned.connected_at_ms = facts.connected_at_ms;
    return owned;
  }

  // A view valid while this object lives.
  ClientFacts View() const {
    ClientFacts facts;
    facts.id = id;
    facts.client_id = client_id;
    if (username) facts.username = *username;
    facts.address = address;
    facts.protocol_level = protocol_level;
    facts.clean_start = clean_start;
    facts.keep_alive = keep_alive;
    facts.connected_at_ms = connected_at_ms;
    return facts;
  }
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_PLUGIN_OWNED_FACTS_H_
