// The room client's session; see room_client.h. Paho delivers messages on
// its own thread (OnMessage); the main thread connects, joins and then
// wakes once per pose frame to publish, so nothing spins.
#include "room_client.h"

#include <cstdio>
#include <iostream>

namespace room_client {

namespace {

using std::chrono::milliseconds;

// How long the client waits for the broker to answer a request.
constexpr milliseconds kAnswerTimeout{10'000};

// One line on stdout; lines from Paho's thread and the main thread never mix.
void Print(const std::string& line) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::cout << line << '\n' << std::flush;
}

std::string Hex(int code) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%02X", code);
  return text;
}

// The MQTT 5 Reason String of a CONNACK or DISCONNECT, or "".
std::string ReasonString(const mqtt::properties& properties) {
  if (!properties.contains(mqtt::property::REASON_STRING)) return "";
  return mqtt::get<std::string>(properties, mqtt::property::REASON_STRING);
}

// The value of the user property `name`, or "".
std::string UserProperty(const mqtt::properties& properties, const std::string& name) {
  const size_t count = properties.count(mqtt::property::USER_PROPERTY);
  for (size_t i = 0; i < count; ++i) {
    const auto [key, value] =
        mqtt::get<mqtt::string_pair>(properties, mqtt::property::USER_PROPERTY, i);
    if (key == name) return value;
  }
  return "";
}

}  // namespace

RoomClient::RoomClient(Options options) : options_(std::move(options)), topics_(options_.room) {}

int RoomClient::Run(const std::atomic<bool>& stop) {
  if (!Connect()) return kExitRefused;
  try {
    if (!Join()) {
      client_->disconnect()->wait_for(kAnswerTimeout);
      return kExitJoinFailed;
    }
    FollowRoom();
    if (!options_.claim.empty()) ClaimItem();
    if (!PublishLoop(stop)) return kExitRefused;
    Leave();
  } catch (const mqtt::exception& e) {
    // A request failed outright: the connection is gone.
    std::cerr << "lost the broker: " << e.what() << '\n';
    return kExitRefused;
  }
  return kExitOk;
}

bool RoomClient::Connect() {
  const std::string uri = "tcp://" + options_.host + ":" + std::to_string(options_.port);
  const bool v5 = options_.mqtt_version == 5;
  client_ = std::make_unique<mqtt::async_client>(
      uri, options_.client_id, mqtt::create_options(v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1));
  client_->set_message_callback([this](mqtt::const_message_ptr m) { OnMessage(std::move(m)); });
  client_->set_connection_lost_handler(
      [this](const std::string&) { OnConnectionLost("the connection to the broker was lost"); });
  // MQTT 5: the broker says why it ends a connection (kicked, rate, ...).
  client_->set_disconnected_handler(
      [this](const mqtt::properties& properties, mqtt::ReasonCode code) {
        std::string why = "the broker disconnected us: reason code " + Hex(code) + " (" +
                          mqtt::exception::reason_code_str(code) + ")";
        if (const std::string text = ReasonString(properties); !text.empty()) why += ": " + text;
        OnConnectionLost(why);
      });

  auto builder = mqtt::connect_options_builder();
  if (v5) {
    builder.mqtt_version(MQTTVERSION_5).clean_start(true);
  } else {
    builder.mqtt_version(MQTTVERSION_3_1_1).clean_session(true);
  }
  // With the auth plugin the token is the password and the user name is
  // free (ours: --user, else --user-id, else the client id); without it the
  // user name is who we are.
  builder.user_name(!options_.user.empty()      ? options_.user
                    : !options_.user_id.empty() ? options_.user_id
                                                : options_.client_id);
  if (!options_.token.empty()) builder.password(options_.token);
  builder.keep_alive_interval(std::chrono::seconds(20)).connect_timeout(kAnswerTimeout);

  Print("connecting to " + uri + " as " + options_.client_id + " (MQTT " + (v5 ? "5" : "3.1.1") +
        ")");
  try {
    client_->connect(builder.finalize())->wait();
  } catch (const mqtt::exception& e) {
    // Paho C++ 1.2 reports a refusing CONNACK's code as the return code
    // (MQTT 5: the reason code, e.g. 0x86 bad token, 0x8A banned; 3.1.1:
    // 1 to 5). It does not keep the CONNACK's Reason String.
    const int code = e.get_reason_code() != 0 ? e.get_reason_code() : e.get_return_code();
    std::string line = "connection refused: ";
    if (v5 && code >= 0x80) {
      line += "reason code " + Hex(code) + " (" + mqtt::exception::reason_code_str(code) + ")";
    } else if (!v5 && code >= 1 && code <= 5) {
      static const char* const kNames[] = {"",
                                           "unacceptable protocol version",
                                           "identifier rejected",
                                           "server unavailable",
                                           "bad user name or password",
                                           "not authorized"};
      line += "return code " + std::to_string(code) + " (" + kNames[code] + ")";
    } else {
      line += e.get_error_str() + " (" + std::to_string(code) + ")";
    }
    if (const std::string text = e.get_message(); !text.empty() && text != "CONNACK return code") {
      line += ": " + text;
    }
    std::cerr << line << '\n';
    return false;
  }
  Print("connected");
  return true;
}

bool RoomClient::Join() {
  // Follow the server's topics first: the retained member snapshot and
  // settings arrive at once, then presence events, and our replies.
  client_->subscribe(topics_.ServerAll(), 1)->wait();

  Print("joining " + options_.room + (options_.user_id.empty() ? "" : " as " + options_.user_id));
  try {
    client_->publish(topics_.Join(), EncodeJoinRequest(options_.display_name), 1, false)->wait();
  } catch (const mqtt::exception& e) {
    // MQTT 5: a refused join's PUBACK has its reason code; the Reply below
    // says why in words.
    Print("join refused in the PUBACK: " + Hex(e.get_reason_code()) + " (" +
          e.get_reason_code_str() + ")");
  }
  const std::optional<ReplyInfo> reply = WaitForReply(topics_.Join(), kAnswerTimeout);
  if (!reply) {
    std::lock_guard lock(mutex_);
    if (lost_) {
      std::cerr << *lost_ << '\n';
      return false;
    }
  }
  if (!reply) {
    std::cerr << "no reply to the join within " << kAnswerTimeout.count() / 1000
              << " s: is the rooms plugin loaded?\n";
    return false;
  }
  if (reply->reason_code != 0) {
    std::cerr << "the room refused the join: " << Describe(*reply) << '\n';
    return false;
  }
  return LearnUserId(*reply);
}

bool RoomClient::LearnUserId(const ReplyInfo& join_reply) {
  std::string user_id = options_.user_id;
  if (!join_reply.user_id.empty()) {
    Print("the platform knows us as user " + join_reply.user_id);
    if (user_id.empty()) {
      user_id = join_reply.user_id;
    } else if (user_id != join_reply.user_id) {
      Print("using --user-id " + user_id + " instead: the permissions plugin may refuse it");
    }
  }
  if (user_id.empty()) user_id = options_.user;
  if (user_id.empty()) {
    std::cerr << "the join reply does not name our user id (a broker without the rooms "
                 "plugin's user_id property?): give --user-id\n";
    return false;
  }
  std::lock_guard lock(mutex_);
  user_id_ = std::move(user_id);
  return true;
}

void RoomClient::FollowRoom() {
  // Members may subscribe to the room's traffic once they joined (the
  // permissions plugin refuses it before).
  const std::vector<std::string> filters = {topics_.AllPoses(), topics_.AllItemOwners(),
                                            topics_.AllItemStates()};
  const std::vector<int> qos = {0, 1, 0};
  try {
    auto token = client_->subscribe(mqtt::string_collection::create(filters), qos);
    token->wait();
    const std::vector<mqtt::ReasonCode> codes = token->get_subscribe_response().get_reason_codes();
    for (size_t i = 0; i < codes.size() && i < filters.size(); ++i) {
      if (codes[i] >= 0x80) Print("subscription refused: " + filters[i] + " " + Hex(codes[i]));
    }
  } catch (const mqtt::exception& e) {
    Print(std::string("subscription refused: ") + e.what());
  }
}

void RoomClient::ClaimItem() {
  // An empty ItemRequest: claim whatever the item's epoch is.
  Print("claiming " + options_.claim);
  try {
    client_->publish(topics_.Claim(options_.claim), std::string(), 1, false)->wait();
  } catch (const mqtt::exception& e) {
    Print("claim refused in the PUBACK: " + Hex(e.get_reason_code()) + " (" +
          e.get_reason_code_str() + ")");
  }
  const std::optional<ReplyInfo> reply =
      WaitForReply(topics_.Claim(options_.claim), kAnswerTimeout);
  if (!reply) Print("no reply to the claim: is the ownership plugin loaded?");
  // The outcome itself was printed when the Reply arrived (OnMessage).
}

bool RoomClient::PublishLoop(const std::atomic<bool>& stop) {
  const auto frame = options_.rate > 0 ? std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(1 / options_.rate))
                                       : Clock::duration(milliseconds(100));
  const std::optional<Clock::time_point> end =
      options_.duration > 0
          ? std::optional(start_ + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(options_.duration)))
          : std::nullopt;
  Clock::time_point next_frame = Clock::now();
  Clock::time_point next_summary = Clock::now() + std::chrono::seconds(1);
  std::optional<uint64_t> publishing_epoch;

  while (!stop) {
    const Clock::time_point now = Clock::now();
    if (end && now >= *end) break;
    {
      std::unique_lock lock(mutex_);
      if (lost_) {
        std::cerr << *lost_ << '\n';
        return false;
      }
      if (now >= next_summary) {
        if (const std::string line = poses_.Summary(now); !line.empty()) Print(line);
        next_summary += std::chrono::seconds(1);
      }
    }
    if (options_.rate > 0) {
      const uint32_t t_ms =
          static_cast<uint32_t>(std::chrono::duration_cast<milliseconds>(now - start_).count());
      const plaza::room::v1::AvatarPose pose = PoseAt(user_id_, t_ms);
      // The item we own follows our avatar: its state (the application's
      // own format; here the avatar's Position) goes to .../state/<epoch>.
      const std::optional<uint64_t> epoch = OwnedEpoch();
      if (epoch != publishing_epoch) {
        Print(epoch ? "publishing " + options_.claim + " state at epoch " + std::to_string(*epoch)
                    : "no longer owner of " + options_.claim);
        publishing_epoch = epoch;
      }
      try {
        client_->publish(topics_.Pose(user_id_), pose.SerializeAsString(), 0, false);
        ++poses_sent_;
        if (epoch) {
          client_->publish(topics_.ItemState(options_.claim, *epoch),
                           pose.position().SerializeAsString(), 0, false);
        }
      } catch (const mqtt::exception& e) {
        // Not connected any more: the handlers above say why.
      }
    }
    next_frame += frame;
    if (next_frame < Clock::now()) next_frame = Clock::now();  // fell behind: skip frames
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, next_frame, [&] { return lost_.has_value(); });
  }
  return true;
}

void RoomClient::Leave() {
  Print("leaving " + options_.room + " after sending " + std::to_string(poses_sent_) + " poses");
  try {
    client_->publish(topics_.Leave(), std::string(), 1, false)->wait_for(kAnswerTimeout);
    WaitForReply(topics_.Leave(), milliseconds(2'000));  // printed by OnMessage
    client_->disconnect()->wait_for(kAnswerTimeout);
  } catch (const mqtt::exception& e) {
    std::cerr << "leaving: " << e.what() << '\n';
  }
  Print("disconnected");
}

void RoomClient::OnMessage(mqtt::const_message_ptr message) {
  const std::string& topic = message->get_topic();
  const std::string& payload = message->get_payload_str();
  const Incoming incoming = Classify(topics_, topic);
  using Kind = Incoming::Kind;
  switch (incoming.kind) {
    case Kind::kMembers:
      Print(DescribeMembers(payload));
      return;
    case Kind::kPresence:
      Print(DescribePresence(payload));
      return;
    case Kind::kSettings:
      Print(DescribeSettings(payload));
      return;
    case Kind::kAnnouncement:
      Print(DescribeAnnouncement(payload));
      return;
    case Kind::kReply: {
      std::optional<ReplyInfo> reply = DecodeReply(payload);
      if (!reply) {
        Print("reply: (not a Reply payload)");
        return;
      }
      if (reply->user_id.empty()) {
        // A rooms plugin older than the Reply's user_id field.
        reply->user_id = UserProperty(message->get_properties(), kUserIdProperty);
      }
      Print(Describe(*reply));
      std::lock_guard lock(mutex_);
      replies_[reply->request_topic] = *reply;
      changed_.notify_all();
      return;
    }
    case Kind::kPose: {
      std::lock_guard lock(mutex_);
      if (incoming.name == user_id_) return;  // our own, back from the world
      if (!poses_.Add(incoming.name, payload)) Print("pose from " + incoming.name + ": malformed");
      return;
    }
    case Kind::kItemOwner: {
      const std::optional<OwnerInfo> owner = DecodeItemOwner(payload);
      if (!owner) {
        Print("item " + incoming.name + ": (not an ItemOwner payload)");
        return;
      }
      Print(Describe(*owner));
      std::lock_guard lock(mutex_);
      // Keep the owner state with the highest epoch.
      if (owner->item_id == options_.claim &&
          (!claimed_owner_ || owner->epoch >= claimed_owner_->epoch)) {
        claimed_owner_ = owner;
      }
      return;
    }
    case Kind::kItemState:
      return;  // another owner's item state: a renderer would move the item
    case Kind::kOther:
      Print("message on " + topic + " (" + std::to_string(payload.size()) + " bytes)");
      return;
  }
}

void RoomClient::OnConnectionLost(const std::string& reason) {
  std::lock_guard lock(mutex_);
  if (!lost_) lost_ = reason;
  changed_.notify_all();
}

std::optional<ReplyInfo> RoomClient::WaitForReply(const std::string& request_topic,
                                                  milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, timeout,
                         [&] { return replies_.count(request_topic) || lost_.has_value(); }) ||
      !replies_.count(request_topic)) {
    return std::nullopt;
  }
  ReplyInfo reply = replies_[request_topic];
  replies_.erase(request_topic);
  return reply;
}

std::optional<uint64_t> RoomClient::OwnedEpoch() {
  std::lock_guard lock(mutex_);
  if (!claimed_owner_ || claimed_owner_->owner_user_id != user_id_) return std::nullopt;
  return claimed_owner_->epoch;
}

}  // namespace room_client
