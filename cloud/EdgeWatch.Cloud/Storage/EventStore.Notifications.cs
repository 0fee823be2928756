using System.Globalization;
using EdgeWatch.Protocol;
using Microsoft.Data.Sqlite;

namespace EdgeWatch.Cloud.Storage;

public sealed partial class EventStore : INotificationOutbox
{
    private const string OutboxColumns = """
        id, incident_id, event_id, channel, destination, priority, payload, idempotency_key, status, attempts,
        next_attempt_at, give_up_at, last_error, delivered_at
        """;

    public async Task<AlarmStored> InsertAlarmAsync(FireEvent alarm, DateTimeOffset receivedAt, Func<Guid, IReadOnlyList<NewNotification>> notifications, CancellationToken cancellationToken)
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

            using (var incident = _connection.CreateCommand())
            {
                incident.Transaction = tx;
                incident.CommandText = "INSERT INTO incidents (id, kind, grp, first_event, opened_at) VALUES ($id, 'fire', $grp, $first, $at)";
                incident.Parameters.AddWithValue("$id", alarmId.ToString("D"));
                incident.Parameters.AddWithValue("$grp", alarm.Group);
                incident.Parameters.AddWithValue("$first", alarm.Id.ToString("D"));
                incident.Parameters.AddWithValue("$at", Iso(receivedAt));
                await incident.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var n in notifications(alarmId))
            {
                using var cmd = _connection.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = """
                    INSERT INTO notification_outbox (incident_id, event_id, channel, destination, priority, payload, idempotency_key, status, next_attempt_at, give_up_at, created_at)
                    VALUES ($incident, $event, $channel, $destination, $priority, $payload, $key, 'pending', $now, $giveUp, $now)
                    """;
                cmd.Parameters.AddWithValue("$incident", alarmId.ToString("D"));
                cmd.Parameters.AddWithValue("$event", alarm.Id.ToString("D"));
                cmd.Parameters.AddWithValue("$channel", n.Channel);
                cmd.Parameters.AddWithValue("$destination", n.Destination);
                cmd.Parameters.AddWithValue("$priority", n.Priority);
                cmd.Parameters.AddWithValue("$payload", n.Payload);
                cmd.Parameters.AddWithValue("$key", n.IdempotencyKey);
                cmd.Parameters.AddWithValue("$now", Iso(receivedAt));
                cmd.Parameters.AddWithValue("$giveUp", Iso(n.GiveUpAt));
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            tx.Commit();
            return new AlarmStored(true, alarmId, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task<IReadOnlyList<OutboxMessage>> DueAsync(string channel, DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        QueryOutboxAsync(
            $"SELECT {OutboxColumns} FROM notification_outbox WHERE status = 'pending' AND channel = $channel AND next_attempt_at <= $now ORDER BY priority, id LIMIT $limit",
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
            "UPDATE notification_outbox SET status = 'delivered', attempts = $n, delivered_at = $at, last_error = NULL WHERE id = $id",
            cmd =>
            {
                cmd.Parameters.AddWithValue("$id", id);
                cmd.Parameters.AddWithValue("$n", attempts);
                cmd.Parameters.AddWithValue("$at", Iso(at));
            },
            cancellationToken);

    public async Task<bool> MarkAttemptFailedAsync(long id, int attempts, string failure, DateTimeOffset nextAttemptAt, DateTimeOffset now, bool giveUp, CancellationToken cancellationToken)
    {
        await WriteAsync(
            """
            UPDATE notification_outbox SET attempts = $n, last_error = $err, next_attempt_at = $next,
                status = CASE WHEN $giveUp = 1 OR give_up_at <= $now THEN 'failed' ELSE 'pending' END
            WHERE id = $id
            """,
            cmd =>
            {
                cmd.Parameters.AddWithValue("$id", id);
                cmd.Parameters.AddWithValue("$n", attempts);
                cmd.Parameters.AddWithValue("$err", failure);
                cmd.Parameters.AddWithValue("$next", Iso(nextAttemptAt));
                cmd.Parameters.AddWithValue("$now", Iso(now));
                cmd.Parameters.AddWithValue("$giveUp", giveUp ? 1 : 0);
            },
            cancellationToken).ConfigureAwait(false);
        return (await ListNotificationAsync(id, cancellationToken).ConfigureAwait(false))?.Status == "failed";
    }

    private async Task<OutboxMessage?> ListNotificationAsync(long id, CancellationToken cancellationToken) =>
        (await QueryOutboxAsync($"SELECT {OutboxColumns} FROM notification_outbox WHERE id = $id", cmd => cmd.Parameters.AddWithValue("$id", id), cancellationToken).ConfigureAwait(false))
        .SingleOrDefault();

    private Task<IReadOnlyList<OutboxMessage>> QueryOutboxAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken) =>
        QueryAsync(
            sql,
            bind,
            r => new OutboxMessage(
                r.GetInt64(0), Guid.Parse(r.GetString(1)), Guid.Parse(r.GetString(2)), r.GetString(3), r.GetString(4), r.GetInt32(5), r.GetString(6),
                r.GetString(7), r.GetString(8), r.GetInt32(9), Parse(r.GetString(10)), Parse(r.GetString(11)),
                r.IsDBNull(12) ? null : r.GetString(12), r.IsDBNull(13) ? null : Parse(r.GetString(13))),
            cancellationToken);

    private static DateTimeOffset Parse(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
