// What the permissions plugin decides with -- its options and the parsed
// rules -- as one immutable snapshot, and the holder that lets a reload swap
// in a new one while workers keep deciding with the old one. Workers read
// through a per-thread cache that only touches the lock when the snapshot
// has changed, so deciding a PUBLISH takes no lock and no shared counter.
#ifndef PLAZA_PLUGINS_PERMISSIONS_SNAPSHOT_H_
#define PLAZA_PLUGINS_PERMISSIONS_SNAPSHOT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "plugin_options.h"
#include "rule_set.h"

namespace plaza::permissions {

struct Snapshot {
  PluginOptions options;
  RuleSet rules;
  uint64_t version = 0;  // unique per snapshot, across holders
};

class SnapshotHolder {
 public:
  // Stores `snapshot` (its version is set here) and returns the version.
  uint64_t Store(Snapshot snapshot) {
    snapshot.version = NextVersion();
    auto shared = std::make_shared<const Snapshot>(std::move(snapshot));
    const uint64_t version = shared->version;
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = std::move(shared);
    version_.store(version, std::memory_order_release);
    return version;
  }

  // The current snapshot, shared: for threads other than the workers.
  std::shared_ptr<const Snapshot> Load() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
  }

  // The current snapshot through this thread's cache. The reference is
  // valid until this thread's next Get(): hold it within one hook only.
  const Snapshot& Get() const {
    struct Cache {
      uint64_t version = 0;
      std::shared_ptr<const Snapshot> snapshot;
    };
    thread_local Cache cache;
    // Versions are unique across holders, so one cache serves any holder.
    if (cache.version != version_.load(std::memory_order_acquire)) {
      std::lock_guard<std::mutex> lock(mutex_);
      cache.snapshot = current_;
      cache.version = current_->version;
    }
    return *cache.snapshot;
  }

 private:
  static uint64_t NextVersion() {
    static std::atomic<uint64_t> last{0};
    return ++last;
  }

  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> current_;  // guarded by mutex_; set before any Get()
  std::atomic<uint64_t> version_{0};
};

}  // namespace plaza::permissions

#endif  // PLAZA_PLUGINS_PERMISSIONS_SNAPSHOT_H_
