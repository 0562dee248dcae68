// Every query the adapter makes against the platform schema, in one place.
// Blocking: call only from the adapter's worker threads.
#ifndef PLAZA_ADAPTER_PLATFORM_PLATFORM_STORE_H_
#define PLAZA_ADAPTER_PLATFORM_PLATFORM_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "db/database.h"
#include "platform/platform_records.h"

namespace plaza::adapter::platform {

class PlatformStore {
 public:
  explicit PlatformStore(db::Database& database) : database_(database) {}

  // std::nullopt when nothing matches.
  absl::StatusOr<std::optional<SessionRecord>> FindSessionByToken(const std::string& token);
  absl::StatusOr<std::optional<UserRecord>> FindUser(int64_t user_id);
  absl::StatusOr<std::optional<EventRecord>> FindEvent(int64_t event_id);
  absl::StatusOr<std::optional<WorldRecord>> FindWorld(int64_t world_id);

  // The event's cast in billing order.
  absl::StatusOr<std::vector<CastRecord>> ListCast(int64_t event_id);
  absl::StatusOr<bool> IsInvited(int64_t world_id, int64_t user_id);
  // Bans in force against the user, every scope.
  absl::StatusOr<std::vector<BanRecord>> ActiveBans(int64_t user_id);

  // NOT_FOUND when the row does not exist.
  absl::Status UpdateEventAudio(int64_t event_id, const EventAudioChange& change, int64_t now);
  absl::Status UpdateWorldSettings(int64_t world_id, const WorldSettingsChange& change,
                                   int64_t now);

 private:
  db::Database& database_;
};

}  // namespace plaza::adapter::platform

#endif  // PLAZA_ADAPTER_PLATFORM_PLATFORM_STORE_H_
