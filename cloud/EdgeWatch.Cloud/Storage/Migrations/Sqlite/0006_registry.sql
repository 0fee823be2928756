-- The site registry moves from a file into the database: fire-safety groups, households, people (members, duty
-- officers, technicians), the officers' and technicians' shifts; and the accounts and API tokens of the HTTP API.
CREATE TABLE registry_site (id INTEGER PRIMARY KEY CHECK (id = 1), site TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE fire_groups (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    name TEXT,
    short_name TEXT,
    leader TEXT,
    gateway TEXT NOT NULL);
CREATE TABLE households (
    grp TEXT NOT NULL REFERENCES fire_groups(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    address TEXT,
    latitude REAL,
    longitude REAL,
    PRIMARY KEY (grp, id));
CREATE TABLE people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    role TEXT NOT NULL CHECK (role IN ('member', 'officer', 'technician')),
    grp TEXT,
    household TEXT,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    channels TEXT NOT NULL,
    language TEXT,
    fictitious INTEGER NOT NULL DEFAULT 0);
CREATE INDEX people_phone ON people(phone);
CREATE TABLE shifts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    days TEXT NOT NULL,
    starts TEXT NOT NULL,
    ends TEXT NOT NULL,
    level INTEGER NOT NULL);
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    role TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'technician', 'leader')),
    grp TEXT,
    created_at TEXT NOT NULL);
CREATE TABLE api_tokens (
    hash TEXT PRIMARY KEY,
    account INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT);
