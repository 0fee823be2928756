-- The first schema: events, boots, motion, heartbeats, snapshots, reported configuration, rejected payloads,
-- webhook notifications and gateway status.
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    site TEXT NOT NULL,
    gateway TEXT NOT NULL,
    grp TEXT NOT NULL,
    kind TEXT NOT NULL,
    household TEXT,
    channel TEXT,
    cause TEXT,
    value REAL,
    test INTEGER NOT NULL,
    wall_time TEXT NOT NULL,
    monotonic_ms INTEGER NOT NULL,
    clock_synced INTEGER NOT NULL,
    boot TEXT NOT NULL DEFAULT '',
    wall_ms INTEGER NOT NULL DEFAULT 0,
    received_at TEXT NOT NULL);
CREATE TABLE boots (
    gateway TEXT NOT NULL,
    boot TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    exact INTEGER NOT NULL,
    PRIMARY KEY (gateway, boot));
CREATE INDEX events_by_received ON events(received_at);
CREATE TABLE motion_events (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    gateway TEXT NOT NULL,
    event_id TEXT NOT NULL,
    camera TEXT NOT NULL,
    phase TEXT NOT NULL,
    armed INTEGER NOT NULL,
    peak_area REAL NOT NULL,
    payload TEXT NOT NULL,
    corrected_time TEXT NOT NULL,
    received_at TEXT NOT NULL);
CREATE TABLE heartbeats (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    gateway TEXT NOT NULL,
    received_at TEXT NOT NULL);
CREATE TABLE snapshots (
    event_id TEXT PRIMARY KEY,
    gateway TEXT NOT NULL,
    seq INTEGER NOT NULL,
    jpeg BLOB NOT NULL,
    received_at TEXT NOT NULL);
CREATE TABLE reported_config (
    gateway TEXT PRIMARY KEY,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL);
CREATE INDEX events_by_gateway_seq ON events(gateway, seq);
CREATE TABLE rejected (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    reason TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL);
CREATE TABLE notifications (
    event_id TEXT PRIMARY KEY,
    delivered_at TEXT,
    attempts INTEGER NOT NULL,
    last_error TEXT);
CREATE TABLE gateway_status (
    gateway TEXT PRIMARY KEY,
    online INTEGER NOT NULL,
    since TEXT NOT NULL,
    last_heartbeat TEXT,
    backlog TEXT,
    dropped TEXT,
    last_error TEXT);
