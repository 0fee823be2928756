-- Zalo OAuth v4 tokens. The refresh token is single-use: the rotated pair is stored here before it is used.
CREATE TABLE zns_tokens (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    access_token TEXT NOT NULL,
    refresh_token TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    refreshed_at TEXT NOT NULL);
