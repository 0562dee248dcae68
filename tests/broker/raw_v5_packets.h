// MQTT 5 packets built and read by hand, for the integration tests that
// look at bytes no client library shows (a topic alias and an empty topic,
// the exact size of a PUBLISH, a CONNACK's properties). Like
// raw_mqtt_client.h, none of it uses the broker's codec. Send and read them
// with raw::Client.
#ifndef PLAZA_TESTS_BROKER_RAW_V5_PACKETS_H_
#define PLAZA_TESTS_BROKER_RAW_V5_PACKETS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "raw_mqtt_client.h"

namespace plaza::testing::raw5 {

// One property, identifier and value.
std::string U8Property(uint8_t id, uint8_t value);
std::string U16Property(uint8_t id, uint16_t value);
std::string U32Property(uint8_t id, uint32_t value);
std::string StringProperty(uint8_t id, std::string_view value);

// A will with its MQTT 5 properties (without their length).
struct Will {
  std::string topic;
  std::string payload;
  uint8_t qos = 0;
  std::string properties;
};

// Whole packets; `properties` is the property list without its length.
std::string Connect(std::string_view client_id, uint16_t keep_alive,
                    std::string_view properties = {}, bool clean_start = true,
                    const Will* will = nullptr);
// A DISCONNECT with `reason_code` and no properties.
std::string Disconnect(uint8_t reason_code = 0);
// PUBACK with a reason code.
std::string Puback(uint16_t packet_id);
std::string Subscribe(uint16_t packet_id, std::string_view filter, uint8_t options,
                      std::string_view properties = {});
std::string Publish(std::string_view topic, std::string_view payload, uint8_t qos = 0,
                    uint16_t packet_id = 0, std::string_view properties = {});

struct PublishFields {
  std::string topic;
  std::string payload;
  int qos = 0;
  uint16_t packet_id = 0;
  std::optional<uint16_t> topic_alias;
  size_t wire_size = 0;  // the whole packet, fixed header included
};
std::optional<PublishFields> ParsePublish(const raw::Packet& packet);

// A CONNACK, SUBACK, PUBACK or DISCONNECT's reason code and properties
// (identifier -> raw value bytes; repeated ones keep the last).
struct Acknowledgement {
  int reason_code = -1;
  std::map<uint8_t, std::string> properties;
};
std::optional<Acknowledgement> ParseConnack(const raw::Packet& packet);
std::optional<Acknowledgement> ParseDisconnect(const raw::Packet& packet);

}  // namespace plaza::testing::raw5

#endif  // PLAZA_TESTS_BROKER_RAW_V5_PACKETS_H_
