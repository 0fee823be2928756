-- A node's commissioning records: every on-site self-test it published (topic selftest), newest last.
CREATE TABLE commissioning (
    gateway TEXT NOT NULL,
    at TEXT NOT NULL,
    passed INTEGER NOT NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (gateway, at));
