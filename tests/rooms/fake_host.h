// A fake plaza_host_api for driving the rooms plugin's service in-process:
// it records what the plugin publishes, sends to one client, completes and
// logs, and keeps client attributes in a map, so a test can check what the
// real broker does not show (attributes, PENDING answers). Thread-safe: the
// plugin publishes from its own thread.
#ifndef PLAZA_TESTS_ROOMS_FAKE_HOST_H_
#define PLAZA_TESTS_ROOMS_FAKE_HOST_H_

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "plaza/plugin.hpp"

namespace plaza::rooms::testing {

class FakeHost {
 public:
  struct Sent {
    plaza_client client = 0;  // 0: published to everyone
    std::string topic;
    std::string payload;
    bool retain = false;
  };
  struct Completed {
    plaza_pending pending = 0;
    plaza_verdict verdict = PLAZA_VERDICT_PASS;
    uint8_t reason_code = 0;
  };

  FakeHost();
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  plaza::Host& host() { return host_; }

  void SetAttribute(plaza_client client, const std::string& key, const std::string& value);
  // The attribute, or "<unset>".
  std::string Attribute(plaza_client client, const std::string& key);

  // Waits until something sent matches `accept`; returns it (or an empty
  // Sent with topic "<timeout>").
  template <typename Accept>
  Sent WaitForSent(Accept accept, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    Sent found{0, "<timeout>", "", false};
    changed_.wait_for(lock, timeout, [&] {
      for (const Sent& s : sent_) {
        if (accept(s)) {
          found = s;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  std::vector<Completed> completed();

 private:
  static FakeHost& Of(plaza_plugin* plugin) { return *reinterpret_cast<FakeHost*>(plugin); }
  static plaza_status Publish(plaza_plugin* plugin, const plaza_message* message);
  static plaza_status PublishTo(plaza_plugin* plugin, plaza_client client,
                                const plaza_message* message);
  static plaza_status Complete(plaza_plugin* plugin, plaza_pending pending,
                               const plaza_completion* completion);
  static plaza_status SetAttr(plaza_plugin* plugin, plaza_client client, plaza_str key,
                              plaza_str value);
  static plaza_status GetAttr(plaza_plugin* plugin, plaza_client client, plaza_str key,
                              char* buffer, size_t size, size_t* value_size);
  static plaza_status DeleteAttr(plaza_plugin* plugin, plaza_client client, plaza_str key);
  static uint64_t AddTimer(plaza_plugin*, uint32_t, uint32_t, plaza_timer_fn, void*);
  static plaza_status CancelTimer(plaza_plugin*, uint64_t);
  static void Log(plaza_plugin*, plaza_log_level, plaza_str);
  void Record(plaza_client client, const plaza_message* message);

  plaza_host_api api_{};
  plaza::Host host_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Sent> sent_;                                             // guarded by mutex_
  std::vector<Completed> completed_;                                   // guarded by mutex_
  std::map<std::pair<plaza_client, std::string>, std::string> attrs_;  // guarded by mutex_
};

// A PUBLISH as the plugin's publish hook is shown it.
class FakePublish {
 public:
  FakePublish(plaza_client client, std::string client_id, const char* username, std::string topic,
              std::string payload = "", plaza_pending pending = 0);
  plaza::PublishEvent& event() { return view_; }
  uint8_t reason_code() const { return event_.reason_code; }

 private:
  std::string client_id_;
  std::string username_;
  bool has_username_;
  std::string topic_;
  std::string payload_;
  plaza_client_info info_{};
  plaza_message message_{};
  plaza_publish_event event_{};
  plaza::PublishEvent view_{nullptr};
};

}  // namespace plaza::rooms::testing

#endif  // PLAZA_TESTS_ROOMS_FAKE_HOST_H_
