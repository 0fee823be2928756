using System.Globalization;
using EdgeWatch.Protocol;
using Microsoft.Data.Sqlite;

namespace EdgeWatch.Cloud.Storage;

public sealed partial class EventStore : INotificationOutbox
{
    private const string OutboxColumns = """
        id, incident_id, event_id, channel, destination, priority, payload, idempotency_key, status, attempts,
        next_attempt_at, give_up_at, last_error, delivered_at, possible_duplicate
        """;

    public async Task<AlarmStored> InsertAlarmAsync(FireEvent alarm, DateTimeOffset receivedAt, Func<Guid, IncidentPlan> plan, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _connection.BeginTransaction();
            using (var insert = InsertEventCommand(alarm, receivedAt, tx))
            {
                if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    return new AlarmStored(false, null, null); // a redelivery: stored and notified already
                }
            }

            // A further detector of the alarm, or the alarm a restarted gateway resumed (same alarmId, new event id),
            // joins the incident whose people were told already.
            var alarmId = alarm.AlarmId ?? alarm.Id;
            using (var known = _connection.CreateCommand())
            {
                known.Transaction = tx;
                known.CommandText = "SELECT 1 FROM incidents WHERE id = $a";
                known.Parameters.AddWithValue("$a", alarmId.ToString("D"));
                if (await known.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
                {
                    tx.Commit();
                    return new AlarmStored(true, null, alarmId);
                }
            }

            var planned = plan(alarmId);
            using (var incident = _connection.CreateCommand())
            {
                incident.Transaction = tx;
                incident.CommandText = """
                    INSERT INTO incidents (id, kind, grp, first_event, opened_at, alert, next_step_at) VALUES ($id, 'fire', $grp, $first, $at, $alert, $next)
                    """;
                incident.Parameters.AddWithValue("$id", alarmId.ToString("D"));
                incident.Parameters.AddWithValue("$grp", alarm.Group);
                incident.Parameters.AddWithValue("$first", alarm.Id.ToString("D"));
                incident.Parameters.AddWithValue("$at", Iso(receivedAt));
                incident.Parameters.AddWithValue("$alert", (object?)planned.Alert ?? DBNull.Value);
                incident.Parameters.AddWithValue("$next", planned.NextStepAt is { } next ? Iso(next) : DBNull.Value);
                await incident.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var n in planned.Notifications)
            {
                await InsertNotificationAsync(tx, alarmId, alarm.Id, n, receivedAt, cancellationToken).ConfigureAwait(false);
            }

            await LogStepAsync(tx, alarmId, new IncidentStep(receivedAt, "opened", alarm.Gateway, $"{alarm.Cause} at {alarm.Household}; {planned.Notifications.Count} notifications"), cancellationToken).ConfigureAwait(false);
            tx.Commit();
            return new AlarmStored(true, alarmId, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task InsertNotificationAsync(SqliteTransaction tx, Guid incident, Guid eventId, NewNotification n, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var cmd = _connection.CreateCommand();
        cmd.Transaction = tx;

        // A key seen before (a person's fallback written twice) is the same message: keep the first.
        cmd.CommandText = """
            INSERT INTO notification_outbox (incident_id, event_id, channel, destination, priority, payload, idempotency_key, status, next_attempt_at, give_up_at, created_at)
            VALUES ($incident, $event, $channel, $destination, $priority, $payload, $key, 'pending', $now, $giveUp, $now)
            ON CONFLICT (idempotency_key) DO NOTHING
            """;
        cmd.Parameters.AddWithValue("$incident", incident.ToString("D"));
        cmd.Parameters.AddWithValue("$event", eventId.ToString("D"));
        cmd.Parameters.AddWithValue("$channel", n.Channel);
        cmd.Parameters.AddWithValue("$destination", n.Destination);
        cmd.Parameters.AddWithValue("$priority", n.Priority);
        cmd.Parameters.AddWithValue("$payload", n.Payload);
        cmd.Parameters.AddWithValue("$key", n.IdempotencyKey);
        cmd.Parameters.AddWithValue("$now", Iso(now));
        cmd.Parameters.AddWithValue("$giveUp", Iso(n.GiveUpAt));
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<OutboxMessage>> DueAsync(string channel, DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        QueryOutboxAsync(
            $"""
            SELECT {OutboxColumns} FROM notification_outbox d
            WHERE status = 'pending' AND channel = $channel AND next_attempt_at <= $now
              AND NOT (priority = {Notify.PersonAlerts.DetailsPriority} AND EXISTS (
                SELECT 1 FROM notification_outbox f
                WHERE f.incident_id = d.incident_id AND f.status = 'pending' AND f.priority = {Notify.PersonAlerts.FirePriority} AND f.give_up_at < d.give_up_at))
            ORDER BY priority, id LIMIT $limit
            """,
            cmd =>
            {
                cmd.Parameters.AddWithValue("$channel", channel);
                cmd.Parameters.AddWithValue("$now", Iso(now));
                cmd.Parameters.AddWithValue("$limit", limit);
            },
            cancellationToken);

    public Task<IReadOnlyList<OutboxMessage>> ListNotificationsAsync(Guid? incident, int limit, CancellationToken cancellationToken) =>
        QueryOutboxAsync(
            $"SELECT {OutboxColumns} FROM notification_outbox WHERE $incident IS NULL OR incident_id = $incident ORDER BY id DESC LIMIT $limit",
            cmd =>
            {
                cmd.Parameters.AddWithValue("$incident", incident is { } i ? i.ToString("D") : DBNull.Value);
                cmd.Parameters.AddWithValue("$limit", limit);
            },
            cancellationToken);

    public async Task<DateTimeOffset?> NextDueAsync(string channel, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT MIN(next_attempt_at) FROM notification_outbox WHERE status = 'pending' AND channel = $channel";
            cmd.Parameters.AddWithValue("$channel", channel);
            return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string at ? Parse(at) : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task MarkDeliveredAsync(long id, int attempts, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(
            "UPDATE notification_outbox SET status = 'delivered', attempts = $n, delivered_at = $at, last_error = NULL, in_flight_since = NULL WHERE id = $id",
            cmd =>
            {
                cmd.Parameters.AddWithValue("$id", id);
                cmd.Parameters.AddWithValue("$n", attempts);
                cmd.Parameters.AddWithValue("$at", Iso(at));
            },
            cancellationToken);

    public async Task<bool> MarkAttemptFailedAsync(AttemptFailure failure, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _connection.BeginTransaction();
            string? status;
            string? incident, eventId;
            using (var cmd = _connection.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = """
                    UPDATE notification_outbox SET attempts = $n, last_error = $err, next_attempt_at = $next,
                        in_flight_since = CASE WHEN $maybeSent = 1 THEN in_flight_since ELSE NULL END,
                        status = CASE WHEN $giveUp = 1 OR give_up_at <= $now THEN 'failed' ELSE 'pending' END
                    WHERE id = $id
                    RETURNING status, incident_id, event_id
                    """;
                cmd.Parameters.AddWithValue("$id", failure.Id);
                cmd.Parameters.AddWithValue("$n", failure.Attempts);
                cmd.Parameters.AddWithValue("$err", failure.Failure);
                cmd.Parameters.AddWithValue("$next", Iso(failure.NextAttemptAt));
                cmd.Parameters.AddWithValue("$now", Iso(failure.Now));
                cmd.Parameters.AddWithValue("$giveUp", failure.GiveUp ? 1 : 0);
                cmd.Parameters.AddWithValue("$maybeSent", failure.MaybeSent ? 1 : 0);
                using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                (status, incident, eventId) = (r.GetString(0), r.GetString(1), r.GetString(2));
            }

            var failed = status == "failed";
            if (failed)
            {
                // The person's next channel, in the transaction that gave this one up: a crash can't lose them.
                foreach (var n in failure.Fallback)
                {
                    await InsertNotificationAsync(tx, Guid.Parse(incident), Guid.Parse(eventId), n, failure.Now, cancellationToken).ConfigureAwait(false);
                }
            }

            tx.Commit();
            return failed;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task MarkInFlightAsync(long id, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(
            """
            UPDATE notification_outbox SET in_flight_since = $at,
                possible_duplicate = CASE WHEN in_flight_since IS NOT NULL THEN 1 ELSE possible_duplicate END
            WHERE id = $id
            """,
            cmd =>
            {
                cmd.Parameters.AddWithValue("$id", id);
                cmd.Parameters.AddWithValue("$at", Iso(at));
            },
            cancellationToken);

    public Task<IReadOnlyList<UnreachedPerson>> UnreachedAsync(Guid incident, CancellationToken cancellationToken) =>
        QueryAsync(
            """
            SELECT json_extract(o.payload, '$.name'), o.destination, o.channel, o.last_error FROM notification_outbox o
            WHERE o.incident_id = $incident AND o.channel IN ('zns', 'sms', 'call', 'email') AND o.priority IN (0, 20)
              AND o.id = (SELECT MAX(p.id) FROM notification_outbox p WHERE p.incident_id = o.incident_id AND p.priority IN (0, 20)
                          AND json_extract(p.payload, '$.phone') = json_extract(o.payload, '$.phone'))
              AND o.status = 'failed'
            ORDER BY o.id
            """,
            cmd => cmd.Parameters.AddWithValue("$incident", incident.ToString("D")),
            r => new UnreachedPerson(r.IsDBNull(0) ? "?" : r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3)),
            cancellationToken);

    private Task<IReadOnlyList<OutboxMessage>> QueryOutboxAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken) =>
        QueryAsync(
            sql,
            bind,
            r => new OutboxMessage(
                r.GetInt64(0), Guid.Parse(r.GetString(1)), Guid.Parse(r.GetString(2)), r.GetString(3), r.GetString(4), r.GetInt32(5), r.GetString(6),
                r.GetString(7), r.GetString(8), r.GetInt32(9), Parse(r.GetString(10)), Parse(r.GetString(11)),
                r.IsDBNull(12) ? null : r.GetString(12), r.IsDBNull(13) ? null : Parse(r.GetString(13)), r.GetInt32(14) != 0),
            cancellationToken);

    private static DateTimeOffset Parse(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
