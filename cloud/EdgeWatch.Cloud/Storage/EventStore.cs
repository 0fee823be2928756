using System.Globalization;
using EdgeWatch.Protocol;
using Microsoft.Data.Sqlite;

namespace EdgeWatch.Cloud.Storage;

/// <summary>A stored event, as the API returns it.</summary>
public sealed record StoredEvent(
    Guid Id, long Seq, string Site, string Gateway, string Group, string Kind, string? Household, string? Channel,
    string? Cause, double? Value, bool Test, DateTimeOffset WallTime, bool ClockSynced, DateTimeOffset ReceivedAt, DateTimeOffset Time, Guid? AlarmId = null);

/// <summary>What the aggregator knows of a gateway from its status and heartbeats.</summary>
public sealed record GatewayState(string Gateway, bool Online, DateTimeOffset Since, DateTimeOffset? LastHeartbeat, string? Backlog, string? Dropped, string? LastError);

/// <summary>A payload that could not be accepted, kept with the reason so nothing is silently lost.</summary>
public sealed record RejectedMessage(long Id, string Topic, string Reason, DateTimeOffset ReceivedAt, string Payload);

/// <summary>
/// SQLite event store (WAL). Inserts are idempotent by event id, so a gateway that re-sends after a lost PUBACK
/// never produces a second row, and never a second notification.
/// </summary>
public sealed partial class EventStore : IDisposable, ISnapshotStore
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public EventStore(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
        SchemaVersion = SchemaMigrator.Upgrade(_connection);
    }

    /// <summary>Schema version of the database: the number of migration scripts applied.</summary>
    public int SchemaVersion { get; }

    /// <summary>
    /// Whether another alarm event of this alarm is stored already: then <paramref name="alarmId"/>'s people have been
    /// notified, and a further detector or an alarm resumed after a gateway restart joins it.
    /// </summary>
    public async Task<bool> AlarmKnownAsync(Guid alarmId, Guid except, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT 1 FROM events WHERE kind = 'alarm' AND (id = $a OR alarm_id = $a) AND id <> $self LIMIT 1";
            cmd.Parameters.AddWithValue("$a", alarmId.ToString("D"));
            cmd.Parameters.AddWithValue("$self", except.ToString("D"));
            return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Execute(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>Stores an event; returns false when it was already stored (a redelivery).</summary>
    public async Task<bool> InsertAsync(FireEvent e, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = InsertEventCommand(e, receivedAt, null);
            return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
        finally
        {
            _gate.Release();
        }
    }

    private SqliteCommand InsertEventCommand(FireEvent e, DateTimeOffset receivedAt, SqliteTransaction? transaction)
    {
        var cmd = _connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = """
            INSERT INTO events (id, seq, site, gateway, grp, kind, household, channel, cause, value, test, wall_time, monotonic_ms, clock_synced, boot, wall_ms, received_at, alarm_id)
            VALUES ($id, $seq, $site, $gateway, $grp, $kind, $household, $channel, $cause, $value, $test, $wall, $mono, $synced, $boot, $wallms, $received, $alarm)
            ON CONFLICT(id) DO NOTHING
            """;
        cmd.Parameters.AddWithValue("$id", e.Id.ToString("D"));
        cmd.Parameters.AddWithValue("$seq", e.Seq);
        cmd.Parameters.AddWithValue("$site", e.Site);
        cmd.Parameters.AddWithValue("$gateway", e.Gateway);
        cmd.Parameters.AddWithValue("$grp", e.Group);
        cmd.Parameters.AddWithValue("$kind", KindName(e.Kind));
        cmd.Parameters.AddWithValue("$household", (object?)e.Household ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$channel", (object?)e.Channel ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$cause", (object?)e.Cause ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$value", (object?)e.Value ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$test", e.Test ? 1 : 0);
        cmd.Parameters.AddWithValue("$wall", Iso(e.WallTime));
        cmd.Parameters.AddWithValue("$mono", e.MonotonicMs);
        cmd.Parameters.AddWithValue("$synced", e.ClockSynced ? 1 : 0);
        cmd.Parameters.AddWithValue("$boot", e.Boot.ToString("D"));
        cmd.Parameters.AddWithValue("$wallms", e.WallTime.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$received", Iso(receivedAt));
        cmd.Parameters.AddWithValue("$alarm", e.AlarmId is { } alarm ? alarm.ToString("D") : DBNull.Value);
        return cmd;
    }

    public static string KindName(FireEventKind kind) =>
        System.Text.Json.JsonSerializer.Serialize(kind, ProtocolJsonContext.Default.FireEventKind).Trim('"');

    public async Task RejectAsync(string topic, string reason, string payload, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "INSERT INTO rejected (topic, reason, payload, received_at) VALUES ($t, $r, $p, $at)";
            cmd.Parameters.AddWithValue("$t", topic);
            cmd.Parameters.AddWithValue("$r", reason);
            cmd.Parameters.AddWithValue("$p", payload);
            cmd.Parameters.AddWithValue("$at", Iso(receivedAt));
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task SetGatewayStatusAsync(string gateway, bool online, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = """
                INSERT INTO gateway_status (gateway, online, since) VALUES ($g, $o, $at)
                ON CONFLICT(gateway) DO UPDATE SET online = excluded.online, since = excluded.since
                """;
            cmd.Parameters.AddWithValue("$g", gateway);
            cmd.Parameters.AddWithValue("$o", online ? 1 : 0);
            cmd.Parameters.AddWithValue("$at", Iso(at));
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<StoredEvent>> ListAsync(int limit, string? kind, string? group, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = """
                SELECT e.id, e.seq, e.site, e.gateway, e.grp, e.kind, e.household, e.channel, e.cause, e.value, e.test, e.wall_time, e.clock_synced, e.received_at,
                       e.alarm_id,
                       CASE WHEN e.clock_synced = 1 OR b.start_ms IS NULL THEN e.wall_ms ELSE b.start_ms + e.monotonic_ms END AS time_ms
                FROM events e LEFT JOIN boots b ON b.gateway = e.gateway AND b.boot = e.boot
                WHERE ($kind IS NULL OR e.kind = $kind) AND ($grp IS NULL OR e.grp = $grp)
                ORDER BY time_ms DESC, e.seq DESC
                LIMIT $limit
                """;
            cmd.Parameters.AddWithValue("$kind", (object?)kind ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$grp", (object?)group ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$limit", limit);
            using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<StoredEvent>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new StoredEvent(
                    Guid.Parse(reader.GetString(0)), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.IsDBNull(8) ? null : reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetDouble(9), reader.GetInt64(10) == 1,
                    DateTimeOffset.Parse(reader.GetString(11), CultureInfo.InvariantCulture), reader.GetInt64(12) == 1,
                    DateTimeOffset.Parse(reader.GetString(13), CultureInfo.InvariantCulture),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(15)),
                    reader.IsDBNull(14) ? null : Guid.Parse(reader.GetString(14))));
            }

            return list;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<int> WriteAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
            bind(cmd);
            return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Records the best known start of a gateway boot; unsynced event times are derived from it when read.</summary>
    public Task<int> SetBootStartAsync(string gateway, Guid boot, DateTimeOffset start, bool exact, CancellationToken cancellationToken) =>
        WriteAsync(
            """
            INSERT INTO boots (gateway, boot, start_ms, exact) VALUES ($g, $b, $s, $x)
            ON CONFLICT(gateway, boot) DO UPDATE SET
                start_ms = CASE WHEN boots.exact = 1 THEN boots.start_ms WHEN excluded.exact = 1 THEN excluded.start_ms ELSE MIN(boots.start_ms, excluded.start_ms) END,
                exact = MAX(boots.exact, excluded.exact)
            """,
            cmd =>
            {
                cmd.Parameters.AddWithValue("$g", gateway);
                cmd.Parameters.AddWithValue("$b", boot.ToString("D"));
                cmd.Parameters.AddWithValue("$s", start.ToUnixTimeMilliseconds());
                cmd.Parameters.AddWithValue("$x", exact ? 1 : 0);
            },
            cancellationToken);

    /// <summary>Stores a motion message; false for a redelivery.</summary>
    public async Task<bool> InsertMotionAsync(MotionEvent m, string payload, DateTimeOffset correctedTime, DateTimeOffset receivedAt, CancellationToken cancellationToken) =>
        await WriteAsync(
            """
            INSERT INTO motion_events (id, seq, gateway, event_id, camera, phase, armed, peak_area, payload, corrected_time, received_at)
            VALUES ($id, $seq, $g, $e, $c, $p, $a, $pa, $payload, $t, $r) ON CONFLICT(id) DO NOTHING
            """,
            cmd =>
            {
                cmd.Parameters.AddWithValue("$id", m.Id.ToString("D"));
                cmd.Parameters.AddWithValue("$seq", m.Seq);
                cmd.Parameters.AddWithValue("$g", m.Gateway);
                cmd.Parameters.AddWithValue("$e", m.EventId.ToString("D"));
                cmd.Parameters.AddWithValue("$c", m.Camera);
                cmd.Parameters.AddWithValue("$p", m.Phase);
                cmd.Parameters.AddWithValue("$a", m.Armed ? 1 : 0);
                cmd.Parameters.AddWithValue("$pa", m.PeakArea);
                cmd.Parameters.AddWithValue("$payload", payload);
                cmd.Parameters.AddWithValue("$t", Iso(correctedTime));
                cmd.Parameters.AddWithValue("$r", Iso(receivedAt));
            },
            cancellationToken).ConfigureAwait(false) == 1;

    /// <summary>Stores a heartbeat and updates the gateway's state; false for a redelivery.</summary>
    public async Task<bool> InsertHeartbeatAsync(Heartbeat h, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var fresh = await WriteAsync(
            "INSERT INTO heartbeats (id, seq, gateway, received_at) VALUES ($id, $seq, $g, $r) ON CONFLICT(id) DO NOTHING",
            cmd =>
            {
                cmd.Parameters.AddWithValue("$id", h.Id.ToString("D"));
                cmd.Parameters.AddWithValue("$seq", h.Seq);
                cmd.Parameters.AddWithValue("$g", h.Gateway);
                cmd.Parameters.AddWithValue("$r", Iso(receivedAt));
            },
            cancellationToken).ConfigureAwait(false) == 1;
        await WriteAsync(
            """
            INSERT INTO gateway_status (gateway, online, since, last_heartbeat, backlog, dropped, last_error) VALUES ($g, 1, $r, $r, $b, $d, $e)
            ON CONFLICT(gateway) DO UPDATE SET last_heartbeat = excluded.last_heartbeat, backlog = excluded.backlog, dropped = excluded.dropped, last_error = excluded.last_error
            """,
            cmd =>
            {
                cmd.Parameters.AddWithValue("$g", h.Gateway);
                cmd.Parameters.AddWithValue("$r", Iso(receivedAt));
                cmd.Parameters.AddWithValue("$b", string.Join(',', h.Backlog));
                cmd.Parameters.AddWithValue("$d", string.Join(',', h.Dropped));
                cmd.Parameters.AddWithValue("$e", (object?)h.LastError ?? DBNull.Value);
            },
            cancellationToken).ConfigureAwait(false);
        return fresh;
    }

    /// <summary>The stored snapshot of a motion event, or null.</summary>
    public async Task<byte[]?> GetSnapshotAsync(Guid eventId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT jpeg FROM snapshots WHERE event_id = $e", c => c.Parameters.AddWithValue("$e", eventId.ToString("D")), r => (byte[])r[0], cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<int> InsertSnapshotAsync(Guid eventId, string gateway, long seq, byte[] jpeg, DateTimeOffset receivedAt, CancellationToken cancellationToken) =>
        WriteAsync(
            "INSERT INTO snapshots (event_id, gateway, seq, jpeg, received_at) VALUES ($e, $g, $s, $j, $r) ON CONFLICT(event_id) DO NOTHING",
            cmd =>
            {
                cmd.Parameters.AddWithValue("$e", eventId.ToString("D"));
                cmd.Parameters.AddWithValue("$g", gateway);
                cmd.Parameters.AddWithValue("$s", seq);
                cmd.Parameters.AddWithValue("$j", jpeg);
                cmd.Parameters.AddWithValue("$r", Iso(receivedAt));
            },
            cancellationToken);

    public Task<int> SetReportedConfigAsync(string gateway, string payload, DateTimeOffset receivedAt, CancellationToken cancellationToken) =>
        WriteAsync(
            """
            INSERT INTO reported_config (gateway, payload, received_at) VALUES ($g, $p, $r)
            ON CONFLICT(gateway) DO UPDATE SET payload = excluded.payload, received_at = excluded.received_at
            """,
            cmd =>
            {
                cmd.Parameters.AddWithValue("$g", gateway);
                cmd.Parameters.AddWithValue("$p", payload);
                cmd.Parameters.AddWithValue("$r", Iso(receivedAt));
            },
            cancellationToken);

    /// <summary>Keeps a node's self-test as a commissioning record (the same report twice is kept once).</summary>
    public Task<int> AddCommissioningAsync(SelftestReport report, string payload, DateTimeOffset receivedAt, CancellationToken cancellationToken) =>
        WriteAsync(
            "INSERT OR IGNORE INTO commissioning (gateway, at, passed, payload, received_at) VALUES ($g, $a, $p, $j, $r)",
            cmd =>
            {
                cmd.Parameters.AddWithValue("$g", report.Gateway);
                cmd.Parameters.AddWithValue("$a", Iso(report.At));
                cmd.Parameters.AddWithValue("$p", report.Passed ? 1 : 0);
                cmd.Parameters.AddWithValue("$j", payload);
                cmd.Parameters.AddWithValue("$r", Iso(receivedAt));
            },
            cancellationToken);

    /// <summary>A node's commissioning records as a JSON array of their reports, newest first.</summary>
    public async Task<string> ListCommissioningJsonAsync(string gateway, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT payload FROM commissioning WHERE gateway = $g ORDER BY at DESC", cmd => cmd.Parameters.AddWithValue("$g", gateway), r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        return "[" + string.Join(",", rows) + "]";
    }

    public async Task<string?> GetReportedConfigAsync(string gateway, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT payload FROM reported_config WHERE gateway = $g", cmd => cmd.Parameters.AddWithValue("$g", gateway), r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        return rows.Count > 0 ? rows[0] : null;
    }

    public Task<IReadOnlyList<GatewayState>> ListGatewaysAsync(CancellationToken cancellationToken) =>
        QueryAsync(
            "SELECT gateway, online, since, last_heartbeat, backlog, dropped, last_error FROM gateway_status ORDER BY gateway",
            _ => { },
            r => new GatewayState(r.GetString(0), r.GetInt64(1) == 1, DateTimeOffset.Parse(r.GetString(2), CultureInfo.InvariantCulture),
                r.IsDBNull(3) ? null : DateTimeOffset.Parse(r.GetString(3), CultureInfo.InvariantCulture),
                r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6)),
            cancellationToken);

    /// <summary>The latest motion messages as a JSON array of their payloads.</summary>
    public async Task<string> ListMotionJsonAsync(int limit, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            "SELECT payload FROM motion_events ORDER BY rowid DESC LIMIT $n",
            cmd => cmd.Parameters.AddWithValue("$n", limit),
            r => r.GetString(0),
            cancellationToken).ConfigureAwait(false);
        return "[" + string.Join(",", rows) + "]";
    }

    /// <summary>Sequence numbers stored per gateway across fire/trouble events, motion and heartbeats (for loss checks).</summary>
    public Task<IReadOnlyList<(string Gateway, long Seq)>> ListSequencesAsync(CancellationToken cancellationToken) =>
        QueryAsync(
            "SELECT gateway, seq FROM events UNION ALL SELECT gateway, seq FROM motion_events UNION ALL SELECT gateway, seq FROM heartbeats UNION ALL SELECT gateway, seq FROM snapshots",
            _ => { },
            r => (r.GetString(0), r.GetInt64(1)),
            cancellationToken);

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Action<SqliteCommand> bind, Func<SqliteDataReader, T> map, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
            bind(cmd);
            using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<T>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(map(reader));
            }

            return list;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<RejectedMessage>> ListRejectedAsync(int limit, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT id, topic, reason, received_at, payload FROM rejected ORDER BY id DESC LIMIT $limit";
            cmd.Parameters.AddWithValue("$limit", limit);
            using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<RejectedMessage>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new RejectedMessage(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture), reader.GetString(4)));
            }

            return list;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _connection.Dispose();
        _gate.Dispose();
    }
}
