-- alarmId, so that events of one alarm (a second detector, an alarm resumed after a gateway restart) join it.
ALTER TABLE events ADD COLUMN alarm_id TEXT;
CREATE INDEX events_by_alarm ON events(alarm_id);
