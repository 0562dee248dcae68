// The platform schema's SQL. Portable between SQLite and PostgreSQL: '?'
// placeholders, no engine-specific functions.
#include "platform/platform_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace plaza::adapter::platform {
namespace {

using db::ColumnInt;
using db::ColumnOptionalInt;
using db::ColumnText;
using db::Row;
using db::SqlValue;

absl::StatusOr<UserRecord> ReadUser(const Row& row) {
  UserRecord user;
  PLAZA_ASSIGN_OR_RETURN(user.id, ColumnInt(row, 0));
  user.handle = ColumnText(row, 1);
  user.display_name = ColumnText(row, 2);
  user.avatar_model_url = ColumnText(row, 3);
  user.staff_level = ColumnText(row, 4);
  user.account_state = ColumnText(row, 5);
  return user;
}

absl::StatusOr<EventRecord> ReadEvent(const Row& row) {
  EventRecord event;
  PLAZA_ASSIGN_OR_RETURN(event.id, ColumnInt(row, 0));
  PLAZA_ASSIGN_OR_RETURN(event.organizer_id, ColumnInt(row, 1));
  event.title = ColumnText(row, 2);
  event.publish_state = ColumnText(row, 3);
  PLAZA_ASSIGN_OR_RETURN(event.starts_at, ColumnInt(row, 4));
  PLAZA_ASSIGN_OR_RETURN(event.ends_at, ColumnInt(row, 5));
  PLAZA_ASSIGN_OR_RETURN(event.doors_open_minutes, ColumnInt(row, 6));
  event.ticket_limit = ColumnOptionalInt(row, 7);
  PLAZA_ASSIGN_OR_RETURN(event.audio_level_pct, ColumnInt(row, 8));
  event.bgm_track_url = ColumnText(row, 9);
  PLAZA_ASSIGN_OR_RETURN(event.venue.id, ColumnInt(row, 10));
  event.venue.name = ColumnText(row, 11);
  event.venue.asset_bundle_url = ColumnText(row, 12);
  PLAZA_ASSIGN_OR_RETURN(event.venue.max_occupancy, ColumnInt(row, 13));
  return event;
}

absl::StatusOr<WorldRecord> ReadWorld(const Row& row) {
  WorldRecord world;
  PLAZA_ASSIGN_OR_RETURN(world.id, ColumnInt(row, 0));
  PLAZA_ASSIGN_OR_RETURN(world.owner_id, ColumnInt(row, 1));
  world.name = ColumnText(row, 2);
  world.visibility = ColumnText(row, 3);
  PLAZA_ASSIGN_OR_RETURN(world.max_players, ColumnInt(row, 4));
  world.scene_url = ColumnText(row, 5);
  world.ambient_track_url = ColumnText(row, 6);
  PLAZA_ASSIGN_OR_RETURN(world.master_volume_pct, ColumnInt(row, 7));
  PLAZA_ASSIGN_OR_RETURN(int64_t archived, ColumnInt(row, 8));
  world.archived = archived != 0;
  return world;
}

// "" means NULL in the platform's optional URL columns.
SqlValue NullIfEmpty(const std::string& text) {
  if (text.empty()) return std::monostate{};
  return text;
}

absl::Status RunUpdate(db::Database& database, std::string_view table, int64_t id,
                       std::vector<std::string> assignments, std::vector<SqlValue> params,
                       int64_t now) {
  assignments.push_back("updated_at = ?");
  // In-place: GCC 12 warns (falsely) about moving a variant holding a string.
  params.emplace_back(std::in_place_type<int64_t>, now);
  params.emplace_back(std::in_place_type<int64_t>, id);
  const std::string sql = absl::StrCat("UPDATE ", AsAbsl(table), " SET ",
                                       absl::StrJoin(assignments, ", "), " WHERE id = ?");
  PLAZA_ASSIGN_OR_RETURN(db::ResultSet result, database.Query(sql, params));
  if (result.affected_rows == 0) return absl::NotFoundError("room not found");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<SessionRecord>> PlatformStore::FindSessionByToken(
    const std::string& token) {
  PLAZA_ASSIGN_OR_RETURN(
      db::ResultSet result,
      database_.Query("SELECT id, user_id, expires_at, revoked_at FROM user_sessions"
                      " WHERE access_token = ?",
                      {token}));
  if (result.rows.empty()) return std::nullopt;
  const Row& row = result.rows.front();
  SessionRecord session;
  PLAZA_ASSIGN_OR_RETURN(session.id, ColumnInt(row, 0));
  PLAZA_ASSIGN_OR_RETURN(session.user_id, ColumnInt(row, 1));
  PLAZA_ASSIGN_OR_RETURN(session.expires_at, ColumnInt(row, 2));
  session.revoked_at = ColumnOptionalInt(row, 3);
  return session;
}

absl::StatusOr<std::optional<UserRecord>> PlatformStore::FindUser(int64_t user_id) {
  PLAZA_ASSIGN_OR_RETURN(
      db::ResultSet result,
      database_.Query("SELECT id, handle, display_name, avatar_model_url, staff_level,"
                      " account_state FROM users WHERE id = ?",
                      {user_id}));
  if (result.rows.empty()) return std::nullopt;
  return ReadUser(result.rows.front());
}

absl::StatusOr<std::optional<EventRecord>> PlatformStore::FindEvent(int64_t event_id) {
  PLAZA_ASSIGN_OR_RETURN(
      db::ResultSet result,
      database_.Query(
          "SELECT e.id, e.organizer_id, e.title, e.publish_state, e.starts_at, e.ends_at,"
          " e.doors_open_minutes, e.ticket_limit, e.audio_level_pct, e.bgm_track_url,"
          " v.id, v.name, v.asset_bundle_url, v.max_occupancy"
          " FROM events e JOIN venues v ON v.id = e.venue_id WHERE e.id = ?",
          {event_id}));
  if (result.rows.empty()) return std::nullopt;
  return ReadEvent(result.rows.front());
}

absl::StatusOr<std::optional<WorldRecord>> PlatformStore::FindWorld(int64_t world_id) {
  PLAZA_ASSIGN_OR_RETURN(
      db::ResultSet result,
      database_.Query("SELECT id, owner_id, name, visibility, max_players, scene_url,"
                      " ambient_track_url, master_volume_pct, archived FROM worlds WHERE id = ?",
                      {world_id}));
  if (result.rows.empty()) return std::nullopt;
  return ReadWorld(result.rows.front());
}

absl::StatusOr<std::vector<CastRecord>> PlatformStore::ListCast(int64_t event_id) {
  PLAZA_ASSIGN_OR_RETURN(
      db::ResultSet result,
      database_.Query("SELECT c.user_id, u.display_name, c.cast_type, c.billing_order"
                      " FROM event_casts c JOIN users u ON u.id = c.user_id"
                      " WHERE c.event_id = ? ORDER BY c.billing_order, c.user_id",
                      {event_id}));
  std::vector<CastRecord> cast;
  cast.reserve(result.rows.size());
  for (const Row& row : result.rows) {
    CastRecord member;
    PLAZA_ASSIGN_OR_RETURN(member.user_id, ColumnInt(row, 0));
    member.display_name = ColumnText(row, 1);
    member.cast_type = ColumnText(row, 2);
    PLAZA_ASSIGN_OR_RETURN(member.billing_order, ColumnInt(row, 3));
    cast.push_back(std::move(member));
  }
  return cast;
}

absl::StatusOr<bool> PlatformStore::IsInvited(int64_t world_id, int64_t user_id) {
  PLAZA_ASSIGN_OR_RETURN(
      db::ResultSet result,
      database_.Query("SELECT 1 FROM world_invites WHERE world_id = ? AND user_id = ?",
                      {world_id, user_id}));
  return !result.rows.empty();
}

absl::StatusOr<std::vector<BanRecord>> PlatformStore::ActiveBans(int64_t user_id) {
  PLAZA_ASSIGN_OR_RETURN(db::ResultSet result,
                         database_.Query("SELECT id, scope, scope_ref_id, reason FROM bans"
                                         " WHERE user_id = ? AND lifted_at IS NULL ORDER BY id",
                                         {user_id}));
  std::vector<BanRecord> bans;
  for (const Row& row : result.rows) {
    BanRecord ban;
    PLAZA_ASSIGN_OR_RETURN(ban.id, ColumnInt(row, 0));
    ban.scope = ColumnText(row, 1);
    ban.scope_ref_id = ColumnOptionalInt(row, 2);
    ban.reason = ColumnText(row, 3);
    bans.push_back(std::move(ban));
  }
  return bans;
}

absl::Status PlatformStore::UpdateEventAudio(int64_t event_id, const EventAudioChange& change,
                                             int64_t now) {
  std::vector<std::string> assignments;
  std::vector<SqlValue> params;
  if (change.audio_level_pct) {
    assignments.push_back("audio_level_pct = ?");
    params.emplace_back(std::in_place_type<int64_t>, *change.audio_level_pct);
  }
  if (change.bgm_track_url) {
    assignments.push_back("bgm_track_url = ?");
    params.push_back(NullIfEmpty(*change.bgm_track_url));
  }
  return RunUpdate(database_, "events", event_id, std::move(assignments), std::move(params), now);
}

absl::Status PlatformStore::UpdateWorldSettings(int64_t world_id, const WorldSettingsChange& change,
                                                int64_t now) {
  std::vector<std::string> assignments;
  std::vector<SqlValue> params;
  if (change.master_volume_pct) {
    assignments.push_back("master_volume_pct = ?");
    params.emplace_back(std::in_place_type<int64_t>, *change.master_volume_pct);
  }
  if (change.ambient_track_url) {
    assignments.push_back("ambient_track_url = ?");
    params.push_back(NullIfEmpty(*change.ambient_track_url));
  }
  if (change.scene_url) {
    assignments.push_back("scene_url = ?");
    params.push_back(*change.scene_url);
  }
  return RunUpdate(database_, "worlds", world_id, std::move(assignments), std::move(params), now);
}

}  // namespace plaza::adapter::platform
