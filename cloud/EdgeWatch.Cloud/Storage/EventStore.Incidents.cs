using Microsoft.Data.Sqlite;

namespace EdgeWatch.Cloud.Storage;

public sealed partial class EventStore : IIncidentStore
{
    private const string IncidentColumns = """
        id, kind, grp, status, level, reminders, opened_at, next_step_at, alert, acknowledged_at, acknowledged_by, acknowledged_via, resolved_at
        """;

    public async Task<IncidentRecord?> GetIncidentAsync(Guid id, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {IncidentColumns} FROM incidents WHERE id = $id", c => c.Parameters.AddWithValue("$id", id.ToString("D")), ReadIncident, cancellationToken).ConfigureAwait(false))
        .SingleOrDefault();

    public Task<IReadOnlyList<IncidentRecord>> DueIncidentsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {IncidentColumns} FROM incidents WHERE status = 'open' AND next_step_at IS NOT NULL AND next_step_at <= $now ORDER BY next_step_at",
            c => c.Parameters.AddWithValue("$now", Iso(now)), ReadIncident, cancellationToken);

    public async Task<bool> AdvanceIncidentAsync(IncidentAdvance advance, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _connection.BeginTransaction();
            using (var update = _connection.CreateCommand())
            {
                update.Transaction = tx;
                update.CommandText = """
                    UPDATE incidents SET level = $level, reminders = $reminders, next_step_at = $next
                    WHERE id = $id AND status = 'open' AND level = $fromLevel AND reminders = $fromReminders
                    """;
                update.Parameters.AddWithValue("$id", advance.Id.ToString("D"));
                update.Parameters.AddWithValue("$level", advance.Level);
                update.Parameters.AddWithValue("$reminders", advance.Reminders);
                update.Parameters.AddWithValue("$next", advance.NextStepAt is { } next ? Iso(next) : DBNull.Value);
                update.Parameters.AddWithValue("$fromLevel", advance.FromLevel);
                update.Parameters.AddWithValue("$fromReminders", advance.FromReminders);
                if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    return false; // acknowledged, resolved, or advanced by another step meanwhile
                }
            }

            var firstEvent = await ScalarAsync(tx, "SELECT first_event FROM incidents WHERE id = $id", advance.Id, cancellationToken).ConfigureAwait(false);
            foreach (var n in advance.Notifications)
            {
                await InsertNotificationAsync(tx, advance.Id, Guid.Parse(firstEvent!), n, now, cancellationToken).ConfigureAwait(false);
            }

            await LogStepAsync(tx, advance.Id, advance.Log, cancellationToken).ConfigureAwait(false);
            tx.Commit();
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<bool> AcknowledgeAsync(Guid id, string by, string via, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _connection.BeginTransaction();
            using var update = _connection.CreateCommand();
            update.Transaction = tx;
            update.CommandText = """
                UPDATE incidents SET status = 'acknowledged', acknowledged_at = $at, acknowledged_by = $by, acknowledged_via = $via, next_step_at = NULL
                WHERE id = $id AND status = 'open'
                """;
            update.Parameters.AddWithValue("$id", id.ToString("D"));
            update.Parameters.AddWithValue("$at", Iso(now));
            update.Parameters.AddWithValue("$by", by);
            update.Parameters.AddWithValue("$via", via);
            var first = await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            await LogStepAsync(tx, id, new IncidentStep(now, first ? "acknowledged" : "acknowledged-again", by, via), cancellationToken).ConfigureAwait(false);
            tx.Commit();
            return first;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<Guid?> OpenIncidentNotifyingAsync(string phone, CancellationToken cancellationToken) =>
        (await QueryAsync(
            """
            SELECT i.id FROM incidents i WHERE i.status = 'open'
              AND EXISTS (SELECT 1 FROM notification_outbox o WHERE o.incident_id = i.id AND o.destination = $phone)
            ORDER BY i.opened_at DESC LIMIT 1
            """,
            c => c.Parameters.AddWithValue("$phone", phone), r => Guid.Parse(r.GetString(0)), cancellationToken).ConfigureAwait(false))
        .Cast<Guid?>().SingleOrDefault();

    public async Task<IReadOnlyList<Guid>> ResolveGroupAsync(string group, string by, DateTimeOffset now, Func<Guid, IReadOnlyList<ReachedPerson>, IReadOnlyList<NewNotification>> allClear, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _connection.BeginTransaction();
            var resolved = new List<(Guid Id, string FirstEvent)>();
            using (var open = _connection.CreateCommand())
            {
                open.Transaction = tx;
                open.CommandText = "UPDATE incidents SET status = 'resolved', resolved_at = $at, next_step_at = NULL WHERE grp = $g AND kind = 'fire' AND status IN ('open', 'acknowledged') RETURNING id, first_event";
                open.Parameters.AddWithValue("$g", group);
                open.Parameters.AddWithValue("$at", Iso(now));
                using var r = await open.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    resolved.Add((Guid.Parse(r.GetString(0)), r.GetString(1)));
                }
            }

            foreach (var (id, firstEvent) in resolved)
            {
                // Made inside the transaction: the all clear goes to whom the incident's rows reached.
                foreach (var n in allClear(id, Reached(tx, id)))
                {
                    await InsertNotificationAsync(tx, id, Guid.Parse(firstEvent), n, now, cancellationToken).ConfigureAwait(false);
                }

                await LogStepAsync(tx, id, new IncidentStep(now, "resolved", by, "the gateway reset the group"), cancellationToken).ConfigureAwait(false);
            }

            tx.Commit();
            return [.. resolved.Select(r => r.Id)];
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task OpenIncidentAsync(NewIncident incident, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _connection.BeginTransaction();
            using (var insert = _connection.CreateCommand())
            {
                insert.Transaction = tx;
                insert.CommandText = "INSERT INTO incidents (id, kind, grp, first_event, opened_at, alert, next_step_at) VALUES ($id, $kind, $g, $id, $at, $alert, $next)";
                insert.Parameters.AddWithValue("$next", incident.NextStepAt is { } next ? Iso(next) : DBNull.Value);
                insert.Parameters.AddWithValue("$id", incident.Id.ToString("D"));
                insert.Parameters.AddWithValue("$kind", incident.Kind);
                insert.Parameters.AddWithValue("$g", incident.Group);
                insert.Parameters.AddWithValue("$at", Iso(now));
                insert.Parameters.AddWithValue("$alert", incident.Alert);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var n in incident.Notifications)
            {
                await InsertNotificationAsync(tx, incident.Id, incident.Id, n, now, cancellationToken).ConfigureAwait(false);
            }

            await LogStepAsync(tx, incident.Id, incident.Log, cancellationToken).ConfigureAwait(false);
            tx.Commit();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task LogIncidentStepAsync(Guid id, IncidentStep entry, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _connection.BeginTransaction();
            await LogStepAsync(tx, id, entry, cancellationToken).ConfigureAwait(false);
            tx.Commit();
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task<IReadOnlyList<IncidentRecord>> RecentIncidentsAsync(string kind, int count, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {IncidentColumns} FROM incidents WHERE kind = $kind ORDER BY opened_at DESC LIMIT $n",
            c =>
            {
                c.Parameters.AddWithValue("$kind", kind);
                c.Parameters.AddWithValue("$n", count);
            },
            ReadIncident, cancellationToken);

    public Task<IReadOnlyList<IncidentRecord>> UnresolvedIncidentsAsync(string kind, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {IncidentColumns} FROM incidents WHERE kind = $kind AND status IN ('open', 'acknowledged') ORDER BY opened_at",
            c => c.Parameters.AddWithValue("$kind", kind), ReadIncident, cancellationToken);

    public async Task<bool> ResolveIncidentAsync(Guid id, string by, string detail, DateTimeOffset now, Func<Guid, IReadOnlyList<ReachedPerson>, IReadOnlyList<NewNotification>> closing, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _connection.BeginTransaction();
            string? firstEvent;
            using (var update = _connection.CreateCommand())
            {
                update.Transaction = tx;
                update.CommandText = "UPDATE incidents SET status = 'resolved', resolved_at = $at, next_step_at = NULL WHERE id = $id AND status IN ('open', 'acknowledged') RETURNING first_event";
                update.Parameters.AddWithValue("$id", id.ToString("D"));
                update.Parameters.AddWithValue("$at", Iso(now));
                firstEvent = await update.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            }

            if (firstEvent is null)
            {
                return false;
            }

            foreach (var n in closing(id, Reached(tx, id)))
            {
                await InsertNotificationAsync(tx, id, Guid.Parse(firstEvent), n, now, cancellationToken).ConfigureAwait(false);
            }

            await LogStepAsync(tx, id, new IncidentStep(now, "resolved", by, detail), cancellationToken).ConfigureAwait(false);
            tx.Commit();
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The people an incident reached, by destination, on the channel that reached them (for the all clear).</summary>
    private List<ReachedPerson> Reached(SqliteTransaction tx, Guid incident)
    {
        using var cmd = _connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            SELECT channel, destination, payload FROM notification_outbox
            WHERE incident_id = $i AND status = 'delivered' AND destination != 'erased' AND priority IN (0, 20) AND channel IN ('zns', 'sms', 'call', 'email')
            GROUP BY destination HAVING id = MIN(id)
            """;
        cmd.Parameters.AddWithValue("$i", incident.ToString("D"));
        using var r = cmd.ExecuteReader();
        var list = new List<ReachedPerson>();
        while (r.Read())
        {
            list.Add(new ReachedPerson(r.GetString(0), r.GetString(1), r.GetString(2)));
        }

        return list;
    }

    public Task<IReadOnlyList<IncidentStep>> IncidentLogAsync(Guid id, CancellationToken cancellationToken) =>
        QueryAsync(
            "SELECT at, step, actor, detail FROM incident_log WHERE incident = $i ORDER BY id",
            c => c.Parameters.AddWithValue("$i", id.ToString("D")),
            r => new IncidentStep(Parse(r.GetString(0)), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3)),
            cancellationToken);

    public async Task<string> SecretAsync(string name, Func<string> create, CancellationToken cancellationToken)
    {
        await WriteAsync("INSERT INTO secrets (name, value) VALUES ($n, $v) ON CONFLICT (name) DO NOTHING", c =>
        {
            c.Parameters.AddWithValue("$n", name);
            c.Parameters.AddWithValue("$v", create());
        }, cancellationToken).ConfigureAwait(false);
        return (await QueryAsync("SELECT value FROM secrets WHERE name = $n", c => c.Parameters.AddWithValue("$n", name), r => r.GetString(0), cancellationToken).ConfigureAwait(false)).Single();
    }

    private async Task LogStepAsync(SqliteTransaction tx, Guid incident, IncidentStep step, CancellationToken cancellationToken)
    {
        using var cmd = _connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO incident_log (incident, at, step, actor, detail) VALUES ($i, $at, $step, $actor, $detail)";
        cmd.Parameters.AddWithValue("$i", incident.ToString("D"));
        cmd.Parameters.AddWithValue("$at", Iso(step.At));
        cmd.Parameters.AddWithValue("$step", step.Step);
        cmd.Parameters.AddWithValue("$actor", (object?)step.Actor ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$detail", (object?)step.Detail ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<string?> ScalarAsync(SqliteTransaction tx, string sql, Guid id, CancellationToken cancellationToken)
    {
        using var cmd = _connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$id", id.ToString("D"));
        return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    private static IncidentRecord ReadIncident(SqliteDataReader r) => new(
        Guid.Parse(r.GetString(0)), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetInt32(5), Parse(r.GetString(6)),
        r.IsDBNull(7) ? null : Parse(r.GetString(7)), Text(r, 8), r.IsDBNull(9) ? null : Parse(r.GetString(9)), Text(r, 10), Text(r, 11),
        r.IsDBNull(12) ? null : Parse(r.GetString(12)));
}
