-- SMS, calls and mail can't be made idempotent. A row is marked in flight just before it is sent; a row found still
-- in flight when it is sent again (the aggregator died mid-send, or the modem hung) is flagged a possible duplicate.
ALTER TABLE notification_outbox ADD COLUMN in_flight_since TEXT;
ALTER TABLE notification_outbox ADD COLUMN possible_duplicate INTEGER NOT NULL DEFAULT 0;
