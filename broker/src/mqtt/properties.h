// MQTT 5.0 properties (OASIS standard, section 2.2.2): the optional,
// identifier-tagged fields that most v5 packets carry after their variable
// header. One struct holds every property of the standard, so that each
// packet struct has a single `properties` member and the codec a single
// reader and writer; which ones a packet may carry is the codec's check.
//
// Like the packets, properties are views: strings borrow from the decoded
// buffer or from the caller's strings. The repeatable ones (User Property,
// Subscription Identifier) are read lazily from the packet's property bytes,
// so decoding never allocates for them either.
#ifndef PLAZA_BROKER_MQTT_PROPERTIES_H_
#define PLAZA_BROKER_MQTT_PROPERTIES_H_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace plaza::mqtt {

// The property identifiers of the standard (section 2.2.2.2).
enum class PropertyId : uint8_t {
  kPayloadFormatIndicator = 0x01,
  kMessageExpiryInterval = 0x02,
  kContentType = 0x03,
  kResponseTopic = 0x08,
  kCorrelationData = 0x09,
  kSubscriptionIdentifier = 0x0B,
  kSessionExpiryInterval = 0x11,
  kAssignedClientIdentifier = 0x12,
  kServerKeepAlive = 0x13,
  kAuthenticationMethod = 0x15,
  kAuthenticationData = 0x16,
  kRequestProblemInformation = 0x17,
  kWillDelayInterval = 0x18,
  kRequestResponseInformation = 0x19,
  kResponseInformation = 0x1A,
  kServerReference = 0x1C,
  kReasonString = 0x1F,
  kReceiveMaximum = 0x21,
  kTopicAliasMaximum = 0x22,
  kTopicAlias = 0x23,
  kMaximumQos = 0x24,
  kRetainAvailable = 0x25,
  kUserProperty = 0x26,
  kMaximumPacketSize = 0x27,
  kWildcardSubscriptionAvailable = 0x28,
  kSubscriptionIdentifierAvailable = 0x29,
  kSharedSubscriptionAvailable = 0x2A,
};

// The standard's name of a property ("Topic Alias"), for error texts and
// logs; "unknown property" for identifiers the standard does not define.
const char* PropertyName(PropertyId id);

// The largest Subscription Identifier (a Variable Byte Integer, 1..268,435,455).
inline constexpr uint32_t kMaxSubscriptionIdentifier = 268'435'455;

struct UserProperty {
  std::string_view key;
  std::string_view value;
  friend bool operator==(const UserProperty&, const UserProperty&) = default;
};

namespace internal {
// Used by RepeatedProperty to walk a property block the decoder has already
// validated. FindProperty returns the offset of the next property `id` at or
// after `pos` (of its identifier byte), or block.size(). ReadPropertyValue
// reads the value that starts at `pos` and returns the offset after it.
size_t FindProperty(std::string_view block, size_t pos, uint8_t id);
size_t ReadPropertyValue(std::string_view block, size_t pos, UserProperty* value);
size_t ReadPropertyValue(std::string_view block, size_t pos, uint32_t* value);
}  // namespace internal

// A property that may appear more than once, in wire order. Decoding makes it
// a view over the packet's property bytes; for encoding, point it at the
// caller's values (an array or a vector that outlives the packet; temporaries
// are refused at compile time because they would dangle).
template <typename T>
class RepeatedProperty {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;

    Iterator() = default;
    const T& operator*() const { return values_ ? *values_ : value_; }
    const T* operator->() const { return &**this; }
    Iterator& operator++() {
      if (values_) {
        ++values_;
      } else {
        Load(internal::FindProperty(wire_, next_, id_));
      }
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) {
      return a.values_ == b.values_ && a.pos_ == b.pos_;
    }

   private:
    friend class RepeatedProperty;
    // Positions a wire iterator on the property whose identifier is at `pos`.
    void Load(size_t pos) {
      pos_ = pos;
      if (pos_ < wire_.size()) next_ = internal::ReadPropertyValue(wire_, pos_ + 1, &value_);
    }

    const T* values_ = nullptr;  // span mode
    std::string_view wire_;      // wire mode: the whole property block
    uint8_t id_ = 0;
    size_t pos_ = 0;
    size_t next_ = 0;
    T value_{};
  };

  RepeatedProperty() = default;
  RepeatedProperty(std::span<const T> values) : values_(values), count_(values.size()) {}
  template <size_t N>
  RepeatedProperty(const T (&values)[N]) : RepeatedProperty(std::span<const T>(values)) {}
  template <size_t N>
  RepeatedProperty(T (&&values)[N]) = delete;
  RepeatedProperty(const std::vector<T>& values) : RepeatedProperty(std::span<const T>(values)) {}
  RepeatedProperty(std::vector<T>&& values) = delete;

  // A view of the `count` properties `id` in a validated property block.
  static RepeatedProperty FromWire(std::string_view block, PropertyId id, size_t count) {
    RepeatedProperty r;
    r.wire_ = block;
    r.id_ = static_cast<uint8_t>(id);
    r.count_ = count;
    return r;
  }

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }

  Iterator begin() const {
    Iterator it;
    if (wire_.empty()) {
      it.values_ = values_.data();
      if (count_ == 0) it.values_ = nullptr;
      return it;
    }
    it.wire_ = wire_;
    it.id_ = id_;
    it.Load(internal::FindProperty(wire_, 0, id_));
    return it;
  }
  Iterator end() const {
    Iterator it;
    if (wire_.empty()) {
      it.values_ = count_ == 0 ? nullptr : values_.data() + values_.size();
      return it;
    }
    it.pos_ = wire_.size();
    return it;
  }

  // The values as a vector, for tests and for code that wants to keep them.
  std::vector<T> ToVector() const { return std::vector<T>(begin(), end()); }

 private:
  std::span<const T> values_;
  std::string_view wire_;
  uint8_t id_ = 0;
  size_t count_ = 0;
};

using UserProperties = RepeatedProperty<UserProperty>;
using SubscriptionIdentifiers = RepeatedProperty<uint32_t>;

// Every property of the standard; an unset optional (or an empty repeated
// property) is a property the packet does not carry. The comments name the
// packets that may carry each one; the decoder refuses the others, the
// encoder writes whatever is set.
struct Properties {
  std::optional<uint8_t> payload_format_indicator = {};   // PUBLISH, will; 0 or 1
  std::optional<uint32_t> message_expiry_interval = {};   // PUBLISH, will; seconds
  std::optional<std::string_view> content_type = {};      // PUBLISH, will
  std::optional<std::string_view> response_topic = {};    // PUBLISH, will
  std::optional<std::string_view> correlation_data = {};  // PUBLISH, will; binary
  // PUBLISH (repeatable, server to client only), SUBSCRIBE (once).
  SubscriptionIdentifiers subscription_identifiers = {};
  std::optional<uint32_t> session_expiry_interval = {};             // CONNECT, CONNACK, DISCONNECT
  std::optional<std::string_view> assigned_client_identifier = {};  // CONNACK
  std::optional<uint16_t> server_keep_alive = {};                   // CONNACK
  std::optional<std::string_view> authentication_method = {};       // CONNECT, CONNACK, AUTH
  std::optional<std::string_view> authentication_data = {};         // CONNECT, CONNACK, AUTH
  std::optional<bool> request_problem_information = {};             // CONNECT
  std::optional<uint32_t> will_delay_interval = {};                 // will; seconds
  std::optional<bool> request_response_information = {};            // CONNECT
  std::optional<std::string_view> response_information = {};        // CONNACK
  std::optional<std::string_view> server_reference = {};            // CONNACK, DISCONNECT
  // CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT, AUTH.
  std::optional<std::string_view> reason_string = {};
  std::optional<uint16_t> receive_maximum = {};                // CONNECT, CONNACK; not 0
  std::optional<uint16_t> topic_alias_maximum = {};            // CONNECT, CONNACK
  std::optional<uint16_t> topic_alias = {};                    // PUBLISH; not 0
  std::optional<uint8_t> maximum_qos = {};                     // CONNACK; 0 or 1
  std::optional<bool> retain_available = {};                   // CONNACK
  UserProperties user_properties = {};                         // every packet with properties
  std::optional<uint32_t> maximum_packet_size = {};            // CONNECT, CONNACK; not 0
  std::optional<bool> wildcard_subscription_available = {};    // CONNACK
  std::optional<bool> subscription_identifier_available = {};  // CONNACK
  std::optional<bool> shared_subscription_available = {};      // CONNACK
};

}  // namespace plaza::mqtt

#endif  // PLAZA_BROKER_MQTT_PROPERTIES_H_
