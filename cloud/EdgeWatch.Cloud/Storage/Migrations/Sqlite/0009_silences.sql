-- Silences for maintenance, as in Alertmanager: a gateway's trouble or offline incidents between two times open
-- without telling anyone (each is still written down). A fire is never silenced.
CREATE TABLE silences (
    id TEXT PRIMARY KEY,
    gateway TEXT NOT NULL,
    kinds TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    comment TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expired_at TEXT);
CREATE INDEX silences_by_gateway ON silences(gateway, ends_at);
