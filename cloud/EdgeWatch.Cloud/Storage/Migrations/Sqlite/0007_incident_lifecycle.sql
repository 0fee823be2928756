-- Incidents get a lifecycle: open → acknowledged (by whom, how) → resolved (all clear), escalation levels with the
-- time of the next step (escalate or remind), the alert every later message is made from, and an audit trail. An
-- incident from before this script has no next step, so it never escalates.
ALTER TABLE incidents ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE incidents ADD COLUMN level INTEGER NOT NULL DEFAULT 1;
ALTER TABLE incidents ADD COLUMN reminders INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN next_step_at TEXT;
ALTER TABLE incidents ADD COLUMN alert TEXT;
ALTER TABLE incidents ADD COLUMN acknowledged_at TEXT;
ALTER TABLE incidents ADD COLUMN acknowledged_by TEXT;
ALTER TABLE incidents ADD COLUMN acknowledged_via TEXT;
ALTER TABLE incidents ADD COLUMN resolved_at TEXT;
CREATE INDEX incidents_next_step ON incidents(status, next_step_at);
CREATE TABLE incident_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident TEXT NOT NULL,
    at TEXT NOT NULL,
    step TEXT NOT NULL,
    actor TEXT,
    detail TEXT);
CREATE INDEX incident_log_by_incident ON incident_log(incident, id);
CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
