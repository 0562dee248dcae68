// The adapter's use cases, in room terms: authenticate a token, describe a
// room, decide a join, change a room's settings. Reads the platform through
// PlatformStore, translates through translation/, caches descriptions.
// Blocking: runs on the worker pool.
#ifndef PLAZA_ADAPTER_SERVICE_ROOM_DIRECTORY_H_
#define PLAZA_ADAPTER_SERVICE_ROOM_DIRECTORY_H_

#include <atomic>
#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "common/room_ref.h"
#include "platform/platform_store.h"
#include "plaza/adapter/v1/identity.pb.h"
#include "plaza/adapter/v1/platform.pb.h"
#include "plaza/adapter/v1/rooms.pb.h"
#include "service/room_cache.h"

namespace plaza::adapter::service {

class RoomDirectory {
 public:
  // Unix seconds; replaced in tests.
  using UnixClock = std::function<int64_t()>;

  RoomDirectory(platform::PlatformStore& store, RoomCache& cache, UnixClock clock = nullptr);

  // Until the schema is migrated every use case answers UNAVAILABLE.
  void SetSchemaReady(bool ready) { schema_ready_.store(ready); }

  // A refusal is a normal response; errors are storage failures.
  absl::StatusOr<v1::AuthenticateResponse> Authenticate(const std::string& token);

  // NOT_FOUND when there is no such room. `fresh` bypasses the cache.
  absl::StatusOr<v1::Room> DescribeRoom(const RoomRef& ref, bool fresh = false);

  // NOT_FOUND when the room or the user does not exist.
  absl::StatusOr<v1::AuthorizeJoinResponse> AuthorizeJoin(int64_t user_id, const RoomRef& ref);

  // Stores a validated change and returns the room as it is now (read back
  // from the database). Invalidates the room's cache entry.
  absl::StatusOr<v1::Room> UpdateSettings(const RoomRef& ref,
                                          const v1::UpdateRoomSettingsRequest& request);

 private:
  platform::PlatformStore& store_;
  RoomCache& cache_;
  UnixClock clock_;
  std::atomic<bool> schema_ready_{false};
};

}  // namespace plaza::adapter::service

#endif  // PLAZA_ADAPTER_SERVICE_ROOM_DIRECTORY_H_
