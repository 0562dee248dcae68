// The platform's data as its web API stores it, one struct per table, in
// the platform's own vocabulary. Only the storage code fills these and only
// the translation reads them: nothing else in the adapter sees them.
#ifndef PLAZA_ADAPTER_PLATFORM_PLATFORM_RECORDS_H_
#define PLAZA_ADAPTER_PLATFORM_PLATFORM_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>

namespace plaza::adapter::platform {

// users
struct UserRecord {
  int64_t id = 0;
  std::string handle;
  std::string display_name;
  std::string avatar_model_url;  // "" when NULL
  std::string staff_level;       // user | creator | moderator | admin
  std::string account_state;     // active | suspended | deleted
};

// user_sessions
struct SessionRecord {
  int64_t id = 0;
  int64_t user_id = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> revoked_at;
};

// venues
struct VenueRecord {
  int64_t id = 0;
  std::string name;
  std::string asset_bundle_url;
  int64_t max_occupancy = 0;
};

// events (joined with its venue)
struct EventRecord {
  int64_t id = 0;
  int64_t organizer_id = 0;
  std::string title;
  std::string publish_state;  // draft | published | cancelled
  int64_t starts_at = 0;
  int64_t ends_at = 0;
  int64_t doors_open_minutes = 0;
  std::optional<int64_t> ticket_limit;
  int64_t audio_level_pct = 0;
  std::string bgm_track_url;  // "" when NULL
  VenueRecord venue;
};

// event_casts (joined with users for the name)
struct CastRecord {
  int64_t user_id = 0;
  std::string display_name;
  std::string cast_type;  // artist | mc | staff
  int64_t billing_order = 0;
};

// worlds
struct WorldRecord {
  int64_t id = 0;
  int64_t owner_id = 0;
  std::string name;
  std::string visibility;  // public | unlisted | private
  int64_t max_players = 0;
  std::string scene_url;
  std::string ambient_track_url;  // "" when NULL
  int64_t master_volume_pct = 0;
  bool archived = false;
};

// bans that are in force (lifted_at IS NULL)
struct BanRecord {
  int64_t id = 0;
  std::string scope;  // site | world | event
  std::optional<int64_t> scope_ref_id;
  std::string reason;
};

// A change to the platform columns behind a room's settings; unset fields
// keep their value. Column names are the platform's.
struct EventAudioChange {
  std::optional<int64_t> audio_level_pct;
  std::optional<std::string> bgm_track_url;  // "" stores NULL
};
struct WorldSettingsChange {
  std::optional<int64_t> master_volume_pct;
  std::optional<std::string> ambient_track_url;  // "" stores NULL
  std::optional<std::string> scene_url;
};

}  // namespace plaza::adapter::platform

#endif  // PLAZA_ADAPTER_PLATFORM_PLATFORM_RECORDS_H_
