-- The platform's schema as its web API shaped it (its names, not the room's).
-- Written in the SQL both SQLite and PostgreSQL accept: BIGINT ids given by
-- the web API, times as Unix seconds, flags as SMALLINT 0/1.

CREATE TABLE users (
  id              BIGINT PRIMARY KEY,
  handle          VARCHAR(64) NOT NULL UNIQUE,
  display_name    VARCHAR(128) NOT NULL,
  avatar_model_url VARCHAR(1024),
  -- 'user', 'creator', 'moderator' or 'admin'
  staff_level     VARCHAR(16) NOT NULL DEFAULT 'user',
  -- 'active', 'suspended' or 'deleted'
  account_state   VARCHAR(16) NOT NULL DEFAULT 'active',
  created_at      BIGINT NOT NULL
);

CREATE TABLE user_sessions (
  id              BIGINT PRIMARY KEY,
  user_id         BIGINT NOT NULL REFERENCES users (id),
  access_token    VARCHAR(256) NOT NULL UNIQUE,
  user_agent      VARCHAR(256),
  created_at      BIGINT NOT NULL,
  expires_at      BIGINT NOT NULL,
  revoked_at      BIGINT
);

CREATE TABLE venues (
  id              BIGINT PRIMARY KEY,
  name            VARCHAR(128) NOT NULL,
  asset_bundle_url VARCHAR(1024) NOT NULL,
  max_occupancy   INTEGER NOT NULL
);

CREATE TABLE worlds (
  id              BIGINT PRIMARY KEY,
  owner_id        BIGINT NOT NULL REFERENCES users (id),
  name            VARCHAR(128) NOT NULL,
  -- 'public', 'unlisted' or 'private'
  visibility      VARCHAR(16) NOT NULL DEFAULT 'public',
  max_players     INTEGER NOT NULL,
  scene_url       VARCHAR(1024) NOT NULL,
  ambient_track_url VARCHAR(1024),
  master_volume_pct SMALLINT NOT NULL DEFAULT 80,
  archived        SMALLINT NOT NULL DEFAULT 0,
  updated_at      BIGINT NOT NULL
);

CREATE TABLE world_invites (
  world_id        BIGINT NOT NULL REFERENCES worlds (id),
  user_id         BIGINT NOT NULL REFERENCES users (id),
  PRIMARY KEY (world_id, user_id)
);

CREATE TABLE events (
  id              BIGINT PRIMARY KEY,
  venue_id        BIGINT NOT NULL REFERENCES venues (id),
  organizer_id    BIGINT NOT NULL REFERENCES users (id),
  title           VARCHAR(256) NOT NULL,
  -- 'draft', 'published' or 'cancelled'
  publish_state   VARCHAR(16) NOT NULL DEFAULT 'draft',
  starts_at       BIGINT NOT NULL,
  ends_at         BIGINT NOT NULL,
  doors_open_minutes INTEGER NOT NULL DEFAULT 15,
  -- NULL: the venue's max_occupancy
  ticket_limit    INTEGER,
  audio_level_pct SMALLINT NOT NULL DEFAULT 100,
  bgm_track_url   VARCHAR(1024),
  updated_at      BIGINT NOT NULL
);

CREATE TABLE event_casts (
  event_id        BIGINT NOT NULL REFERENCES events (id),
  user_id         BIGINT NOT NULL REFERENCES users (id),
  -- 'artist', 'mc' or 'staff'
  cast_type       VARCHAR(16) NOT NULL,
  billing_order   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (event_id, user_id)
);

CREATE TABLE bans (
  id              BIGINT PRIMARY KEY,
  user_id         BIGINT NOT NULL REFERENCES users (id),
  -- 'site', 'world' or 'event'
  scope           VARCHAR(16) NOT NULL,
  -- the world's or event's id; NULL for 'site'
  scope_ref_id    BIGINT,
  reason          VARCHAR(512),
  created_at      BIGINT NOT NULL,
  -- NULL: permanent
  lifted_at       BIGINT
);

CREATE INDEX user_sessions_user_id ON user_sessions (user_id);
CREATE INDEX event_casts_event_id ON event_casts (event_id);
CREATE INDEX bans_user_id ON bans (user_id);
