// The fake host table of the rooms service tests; see fake_host.h.
#include "fake_host.h"

#include <cstring>

namespace plaza::rooms::testing {
namespace {

std::string Copy(plaza_str s) { return s.data ? std::string(s.data, s.size) : std::string(); }

}  // namespace

FakeHost::FakeHost() : host_(reinterpret_cast<plaza_plugin*>(this), &api_) {
  api_.struct_size = sizeof(api_);
  api_.abi_version = PLAZA_PLUGIN_ABI_VERSION;
  api_.publish = &FakeHost::Publish;
  api_.publish_to = &FakeHost::PublishTo;
  api_.complete = &FakeHost::Complete;
  api_.set_attribute = &FakeHost::SetAttr;
  api_.get_attribute = &FakeHost::GetAttr;
  api_.delete_attribute = &FakeHost::DeleteAttr;
  api_.add_timer = &FakeHost::AddTimer;
  api_.cancel_timer = &FakeHost::CancelTimer;
  api_.log = &FakeHost::Log;
}

void FakeHost::SetAttribute(plaza_client client, const std::string& key, const std::string& value) {
  std::lock_guard lock(mutex_);
  attrs_[{client, key}] = value;
}

std::string FakeHost::Attribute(plaza_client client, const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto it = attrs_.find({client, key});
  return it == attrs_.end() ? "<unset>" : it->second;
}

std::vector<FakeHost::Completed> FakeHost::completed() {
  std::lock_guard lock(mutex_);
  return completed_;
}

void FakeHost::Record(plaza_client client, const plaza_message* message) {
  {
    std::lock_guard lock(mutex_);
    sent_.push_back({client, Copy(message->topic), Copy(message->payload), message->retain != 0});
  }
  changed_.notify_all();
}

plaza_status FakeHost::Publish(plaza_plugin* plugin, const plaza_message* message) {
  Of(plugin).Record(0, message);
  return PLAZA_OK;
}

plaza_status FakeHost::PublishTo(plaza_plugin* plugin, plaza_client client,
                                 const plaza_message* message) {
  Of(plugin).Record(client, message);
  return PLAZA_OK;
}

plaza_status FakeHost::Complete(plaza_plugin* plugin, plaza_pending pending,
                                const plaza_completion* completion) {
  FakeHost& fake = Of(plugin);
  {
    std::lock_guard lock(fake.mutex_);
    fake.completed_.push_back({pending, completion->verdict, completion->reason_code});
  }
  fake.changed_.notify_all();
  return PLAZA_OK;
}

plaza_status FakeHost::SetAttr(plaza_plugin* plugin, plaza_client client, plaza_str key,
                               plaza_str value) {
  Of(plugin).SetAttribute(client, Copy(key), Copy(value));
  return PLAZA_OK;
}

plaza_status FakeHost::GetAttr(plaza_plugin* plugin, plaza_client client, plaza_str key,
                               char* buffer, size_t size, size_t* value_size) {
  FakeHost& fake = Of(plugin);
  std::lock_guard lock(fake.mutex_);
  const auto it = fake.attrs_.find({client, Copy(key)});
  if (it == fake.attrs_.end()) return PLAZA_ERR_NOT_FOUND;
  *value_size = it->second.size();
  if (it->second.size() > size) return PLAZA_ERR_TOO_LARGE;
  std::memcpy(buffer, it->second.data(), it->second.size());
  return PLAZA_OK;
}

plaza_status FakeHost::DeleteAttr(plaza_plugin* plugin, plaza_client client, plaza_str key) {
  FakeHost& fake = Of(plugin);
  std::lock_guard lock(fake.mutex_);
  return fake.attrs_.erase({client, Copy(key)}) ? PLAZA_OK : PLAZA_ERR_NOT_FOUND;
}

uint64_t FakeHost::AddTimer(plaza_plugin*, uint32_t, uint32_t, plaza_timer_fn, void*) {
  return 1;  // never runs: the tests drive time themselves
}

plaza_status FakeHost::CancelTimer(plaza_plugin*, uint64_t) { return PLAZA_OK; }

void FakeHost::Log(plaza_plugin*, plaza_log_level, plaza_str) {}

FakePublish::FakePublish(plaza_client client, std::string client_id, const char* username,
                         std::string topic, std::string payload, plaza_pending pending)
    : client_id_(std::move(client_id)),
      username_(username ? username : ""),
      has_username_(username != nullptr),
      topic_(std::move(topic)),
      payload_(std::move(payload)) {
  info_.struct_size = sizeof(info_);
  info_.client = client;
  info_.client_id = {client_id_.data(), client_id_.size()};
  info_.username = has_username_ ? plaza_str{username_.data(), username_.size()} : plaza_str{};
  info_.protocol_version = 4;
  message_.struct_size = sizeof(message_);
  message_.topic = {topic_.data(), topic_.size()};
  message_.payload = {payload_.data(), payload_.size()};
  message_.qos = 1;
  event_.struct_size = sizeof(event_);
  event_.client = &info_;
  event_.message = &message_;
  event_.pending = pending;
  view_.Rebind(&event_);
}

}  // namespace plaza::rooms::testing
