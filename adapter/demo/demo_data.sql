-- Demo data for the README tour and the integration tests: a few users and
-- tokens, two venues, three events (one always open, one in the far future,
-- one cancelled), and two worlds (public, private). Loaded only into an empty
-- database, when the adapter runs with --demo-data (or database.demo_data).

INSERT INTO users (id, handle, display_name, avatar_model_url, staff_level, account_state, created_at) VALUES
  (1, 'aiko',   'Aiko Stage',     'https://assets.example.com/avatars/aiko.vrm', 'creator',   'active',    1700000000),
  (2, 'ben',    'Ben Listener',   NULL,                                           'user',      'active',    1700000000),
  (3, 'chloe',  'Chloe Mod',      'https://assets.example.com/avatars/chloe.vrm', 'moderator', 'active',    1700000000),
  (4, 'dario',  'Dario Banned',   NULL,                                           'user',      'active',    1700000000),
  (5, 'emi',    'Emi Suspended',  NULL,                                           'user',      'suspended', 1700000000),
  (6, 'felix',  'Felix Builder',  'https://assets.example.com/avatars/felix.vrm', 'creator',   'active',    1700000000),
  (7, 'gina',   'Gina Admin',     NULL,                                           'admin',     'active',    1700000000),
  (8, 'hana',   'Hana Sitebanned', NULL,                                          'user',      'active',    1700000000);

-- Tokens valid until 2100; one expired, one revoked.
INSERT INTO user_sessions (id, user_id, access_token, user_agent, created_at, expires_at, revoked_at) VALUES
  (1, 1, 'demo-token-aiko-0001',    'unity/2022', 1700000000, 4102444800, NULL),
  (2, 2, 'demo-token-ben-0002',     'unity/2022', 1700000000, 4102444800, NULL),
  (3, 3, 'demo-token-chloe-0003',   'unity/2022', 1700000000, 4102444800, NULL),
  (4, 4, 'demo-token-dario-0004',   'unity/2022', 1700000000, 4102444800, NULL),
  (5, 5, 'demo-token-emi-0005',     'unity/2022', 1700000000, 4102444800, NULL),
  (6, 6, 'demo-token-felix-0006',   'unity/2022', 1700000000, 4102444800, NULL),
  (7, 7, 'demo-token-gina-0007',    'unity/2022', 1700000000, 4102444800, NULL),
  (8, 2, 'demo-token-ben-expired',  'unity/2022', 1600000000, 1600086400, NULL),
  (9, 2, 'demo-token-ben-revoked',  'unity/2022', 1700000000, 4102444800, 1700000100),
  (10, 8, 'demo-token-hana-0008',   'unity/2022', 1700000000, 4102444800, NULL);

INSERT INTO venues (id, name, asset_bundle_url, max_occupancy) VALUES
  (1, 'Neon Dome',     'https://assets.example.com/venues/neon-dome.bundle',     5000),
  (2, 'Garden Stage',  'https://assets.example.com/venues/garden-stage.bundle',  800);

-- Event 1 runs from 2020 to 2100 so the tour always finds it open.
INSERT INTO events (id, venue_id, organizer_id, title, publish_state, starts_at, ends_at, doors_open_minutes, ticket_limit, audio_level_pct, bgm_track_url, updated_at) VALUES
  (1, 1, 1, 'Aiko Live at the Neon Dome', 'published', 1577836800, 4102444800, 30, 3000, 90, 'https://assets.example.com/bgm/opening.ogg', 1700000000),
  (2, 2, 1, 'Aiko Acoustic (2099)',       'published', 4070908800, 4070916000, 15, NULL, 100, NULL, 1700000000),
  (3, 2, 6, 'Cancelled Meetup',           'cancelled', 1577836800, 4102444800, 15, NULL, 100, NULL, 1700000000),
  (4, 1, 6, 'Unpublished Draft',          'draft',     1577836800, 4102444800, 15, NULL, 100, NULL, 1700000000),
  (5, 2, 6, 'Past Talk (2020)',           'published', 1577836800, 1577840400, 15, NULL, 100, NULL, 1700000000);

INSERT INTO event_casts (event_id, user_id, cast_type, billing_order) VALUES
  (1, 1, 'artist', 1),
  (1, 6, 'mc',     2),
  (1, 3, 'staff',  3);

INSERT INTO worlds (id, owner_id, name, visibility, max_players, scene_url, ambient_track_url, master_volume_pct, archived, updated_at) VALUES
  (1, 6, 'Felix''s Plaza',   'public',  32, 'https://assets.example.com/worlds/plaza.bundle',   'https://assets.example.com/bgm/plaza.ogg', 70, 0, 1700000000),
  (2, 6, 'Felix''s Workshop', 'private', 8,  'https://assets.example.com/worlds/workshop.bundle', NULL,                                       50, 0, 1700000000),
  (3, 1, 'Old Lobby',        'public',  16, 'https://assets.example.com/worlds/lobby.bundle',   NULL,                                       80, 1, 1700000000);

INSERT INTO world_invites (world_id, user_id) VALUES
  (2, 1);

-- Dario is banned from event 1 and from world 1, Hana from the whole site;
-- Ben's site ban was lifted (and no longer counts).
INSERT INTO bans (id, user_id, scope, scope_ref_id, reason, created_at, lifted_at) VALUES
  (1, 4, 'event', 1,    'harassment in chat', 1700000000, NULL),
  (2, 4, 'world', 1,    'griefing',           1700000000, NULL),
  (3, 2, 'site',  NULL, 'mistaken report',    1700000000, 1700000500),
  (4, 8, 'site',  NULL, 'spam',               1700000000, NULL);
