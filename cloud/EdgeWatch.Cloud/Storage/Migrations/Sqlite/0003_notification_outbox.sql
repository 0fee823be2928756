-- Incidents and the durable notification outbox. A fire alarm opens an incident and writes its notifications in the
-- same transaction as the event, before the gateway's event is acknowledged; a worker delivers them with retries.
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    grp TEXT NOT NULL,
    first_event TEXT NOT NULL,
    opened_at TEXT NOT NULL);
CREATE TABLE notification_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    event_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    destination TEXT NOT NULL,
    priority INTEGER NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    give_up_at TEXT NOT NULL,
    last_error TEXT,
    delivered_at TEXT,
    created_at TEXT NOT NULL);
CREATE INDEX notification_outbox_due ON notification_outbox(status, channel, priority, next_attempt_at);
INSERT INTO incidents (id, kind, grp, first_event, opened_at)
    SELECT e.id, 'fire', e.grp, e.id, e.received_at FROM notifications n JOIN events e ON e.id = n.event_id;
DROP TABLE notifications;
