using System.Globalization;
using EdgeWatch.Protocol;
using Microsoft.Data.Sqlite;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>One waiting message.</summary>
public sealed record OutboxEntry(long Position, Lane Lane, string Kind, string Topic, byte[] Payload, long Seq, DateTimeOffset Created);

/// <summary>What happened to an enqueued message.</summary>
public enum EnqueueOutcome
{
    Stored,

    /// <summary>Stored although the outbox is over its budget (fire and trouble are never dropped).</summary>
    StoredOverBudget,

    /// <summary>Dropped because the outbox is full (telemetry and motion only); counted.</summary>
    Dropped,
}

/// <summary>A payload refused before it was queued; the message says why.</summary>
public sealed class PayloadTooLargeException : Exception
{
    public PayloadTooLargeException(string message) : base(message) { }
    public PayloadTooLargeException() { }
    public PayloadTooLargeException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// The gateway's durable store-and-forward outbox: SQLite in WAL mode. Fire and trouble entries are committed with
/// <c>synchronous=FULL</c> (fsync) before <see cref="Enqueue"/> returns; motion and telemetry with <c>NORMAL</c>.
/// Entries come out highest lane first, in insertion order within a lane. An entry is marked sent when the broker
/// acknowledged it (PUBACK success; in memory) and deleted only when the aggregator acknowledges it end to end; an entry not
/// acknowledged within <see cref="AckTimeout"/>, or still unacknowledged at a reconnect, is sent again. Over the disk budget, telemetry is dropped first, then motion snapshots, then motion events;
/// fire and trouble never. Every drop is counted (and the counts survive restarts).
/// </summary>
public sealed class Outbox : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly int[] _counts = new int[4];
    private readonly HeldEntries _held = new();

    // When each stored entry went to the broker (by position). Memory only: a reconnect or a restart sends every
    // unacknowledged entry again anyway, and it keeps marking an entry sent off a disk that may be refusing writes.
    private readonly Dictionary<long, long> _sentAt = [];
    private readonly long[] _dropped = new long[4];
    private long _bytes;
    private long _lastSeq;
    private bool? _fullSync;

    public Outbox(string path, long budgetBytes, TimeProvider time)
    {
        BudgetBytes = budgetBytes;
        _time = time;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        Exec("""
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS outbox (
                pos INTEGER PRIMARY KEY AUTOINCREMENT,
                lane INTEGER NOT NULL,
                kind TEXT NOT NULL,
                topic TEXT NOT NULL,
                payload BLOB NOT NULL,
                seq INTEGER NOT NULL,
                created_ticks INTEGER NOT NULL,
                sent_ticks INTEGER); -- unused since sent times are kept in memory; kept so older outboxes open unchanged
            CREATE INDEX IF NOT EXISTS outbox_by_lane ON outbox(lane, pos);
            CREATE INDEX IF NOT EXISTS outbox_by_seq ON outbox(seq);
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            """);
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "SELECT lane, COUNT(*), COALESCE(SUM(length(payload)), 0) FROM outbox GROUP BY lane";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                _counts[r.GetInt32(0)] = r.GetInt32(1);
                _bytes += r.GetInt64(2);
            }
        }

        _lastSeq = Meta("last_seq");
        for (var lane = 0; lane < 4; lane++)
        {
            _dropped[lane] = Meta($"dropped_{lane}");
        }
    }

    public long BudgetBytes { get; }

    /// <summary>The highest sequence number ever stored; a restarted gateway continues after it.</summary>
    public long LastSeq
    {
        get
        {
            lock (_gate)
            {
                return _lastSeq;
            }
        }
    }

    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Entries waiting per lane (fire, trouble, motion, telemetry), on disk or held in memory.</summary>
    public int[] Backlog
    {
        get
        {
            int[] counts;
            lock (_gate)
            {
                counts = [.. _counts];
            }

            _held.Count(counts);
            return counts;
        }
    }

    /// <summary>Fire and trouble entries held in memory and not on disk (see <see cref="Hold"/>).</summary>
    public int HeldInMemory => _held.Total;

    /// <summary>Entries dropped per lane because the outbox was full.</summary>
    public long[] Dropped
    {
        get
        {
            lock (_gate)
            {
                return [.. _dropped];
            }
        }
    }

    /// <summary>Raised after every enqueue, so the uplink can wake up.</summary>
    public event Action<Lane>? Enqueued;

    private void Exec(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private long Meta(string key)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar() is long v ? v : 0;
    }

    private void SetMeta(SqliteTransaction tx, string key, long value)
    {
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO meta (key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$v", value);
        cmd.ExecuteNonQuery();
    }

    private static int DropClass(Lane lane, string kind) => lane switch
    {
        Lane.Telemetry => 0,
        Lane.Motion when kind == "snapshot" => 1,
        Lane.Motion => 2,
        _ => int.MaxValue, // fire and trouble: never dropped
    };

    /// <summary>Stores a message durably. Throws <see cref="PayloadTooLargeException"/> for a payload over the wire limits.</summary>
    public EnqueueOutcome Enqueue(Lane lane, string kind, string topic, byte[] payload, long seq)
    {
        var limit = kind == "snapshot" ? WireLimits.MaxSnapshotBytes : WireLimits.MaxPayloadBytes;
        if (payload.Length > limit)
        {
            throw new PayloadTooLargeException(
                string.Create(CultureInfo.InvariantCulture, $"{kind} for {topic} is {payload.Length / 1024.0:0.#} KiB; the limit is {limit / 1024} KiB"));
        }

        var outcome = EnqueueOutcome.Stored;
        lock (_gate)
        {
            EnsureSync(durable: lane <= Lane.Trouble);

            using var tx = _db.BeginTransaction();
            var newClass = DropClass(lane, kind);
            MakeRoom(tx, newClass, payload.Length);

            if (_bytes + payload.Length > BudgetBytes)
            {
                if (newClass != int.MaxValue)
                {
                    _dropped[(int)lane]++;
                    SetMeta(tx, $"dropped_{(int)lane}", _dropped[(int)lane]);
                    if (seq > _lastSeq)
                    {
                        _lastSeq = seq;
                        SetMeta(tx, "last_seq", seq);
                    }

                    tx.Commit();
                    return EnqueueOutcome.Dropped;
                }

                outcome = EnqueueOutcome.StoredOverBudget;
            }

            Insert(tx, lane, kind, topic, payload, seq, _time.GetUtcNow().UtcTicks);
        }

        Enqueued?.Invoke(lane);
        return outcome;
    }

    /// <summary>Inserts one entry and commits the transaction (under the lock).</summary>
    private long Insert(SqliteTransaction tx, Lane lane, string kind, string topic, byte[] payload, long seq, long createdTicks)
    {
        long position;
        using (var cmd = _db.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO outbox (lane, kind, topic, payload, seq, created_ticks) VALUES ($l, $k, $t, $p, $s, $c) RETURNING pos";
            cmd.Parameters.AddWithValue("$l", (int)lane);
            cmd.Parameters.AddWithValue("$k", kind);
            cmd.Parameters.AddWithValue("$t", topic);
            cmd.Parameters.AddWithValue("$p", payload);
            cmd.Parameters.AddWithValue("$s", seq);
            cmd.Parameters.AddWithValue("$c", createdTicks);
            position = (long)cmd.ExecuteScalar()!;
        }

        if (seq > _lastSeq)
        {
            _lastSeq = seq;
            SetMeta(tx, "last_seq", seq);
        }

        tx.Commit();
        _counts[(int)lane]++;
        _bytes += payload.Length;
        return position;
    }

    /// <summary>
    /// Holds a fire or trouble entry in memory, where the uplink can send it at once; it never touches the disk (nor
    /// waits for it). <see cref="WriteBack"/> then stores it durably.
    /// </summary>
    public void Hold(Lane lane, string kind, string topic, byte[] payload, long seq)
    {
        if (lane > Lane.Trouble)
        {
            throw new ArgumentOutOfRangeException(nameof(lane), lane, "only fire and trouble entries are held in memory");
        }

        if (payload.Length > WireLimits.MaxPayloadBytes)
        {
            throw new PayloadTooLargeException(string.Create(CultureInfo.InvariantCulture, $"{kind} for {topic} is {payload.Length} bytes; the limit is {WireLimits.MaxPayloadBytes}"));
        }

        _held.Add(new OutboxEntry(-seq, lane, kind, topic, payload, seq, _time.GetUtcNow()));
        Enqueued?.Invoke(lane);
    }

    /// <summary>
    /// Writes a held entry to disk (fsync'd) and releases it from memory. Returns false when there was nothing to write
    /// because the aggregator acknowledged it first. Throws on a storage error; the entry stays held.
    /// </summary>
    public bool WriteBack(long seq)
    {
        lock (_gate)
        {
            if (!_held.TryGet(seq, out var entry, out var sentTicks))
            {
                return false;
            }

            EnsureSync(durable: true);
            using var tx = _db.BeginTransaction();
            MakeRoom(tx, int.MaxValue, entry.Payload.Length);
            var position = Insert(tx, entry.Lane, entry.Kind, entry.Topic, entry.Payload, seq, entry.Created.UtcTicks);
            if (sentTicks != 0)
            {
                _sentAt[position] = sentTicks;
            }

            _held.Remove([seq]);
            return true;
        }
    }

    /// <summary>Over the budget, drops lower-class entries (telemetry, then snapshots, then motion) up to <paramref name="upToClass"/>.</summary>
    private void MakeRoom(SqliteTransaction tx, int upToClass, int size)
    {
        for (var dropClass = 0; _bytes + size > BudgetBytes && dropClass <= Math.Min(upToClass, 2); dropClass++)
        {
            EvictOldest(tx, dropClass, _bytes + size - BudgetBytes);
        }
    }

    private void EvictOldest(SqliteTransaction tx, int dropClass, long needBytes)
    {
        var (lane, kindFilter) = dropClass switch
        {
            0 => (Lane.Telemetry, (string?)null),
            1 => (Lane.Motion, "= 'snapshot'"),
            _ => (Lane.Motion, "<> 'snapshot'"),
        };
        var victims = new List<(long Pos, int Size)>();
        using (var cmd = _db.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT pos, length(payload) FROM outbox WHERE lane = $l {(kindFilter is null ? "" : "AND kind " + kindFilter)} ORDER BY pos";
            cmd.Parameters.AddWithValue("$l", (int)lane);
            using var r = cmd.ExecuteReader();
            long freed = 0;
            while (freed < needBytes && r.Read())
            {
                victims.Add((r.GetInt64(0), r.GetInt32(1)));
                freed += r.GetInt32(1);
            }
        }

        foreach (var (pos, size) in victims)
        {
            using var del = _db.CreateCommand();
            del.Transaction = tx;
            del.CommandText = "DELETE FROM outbox WHERE pos = $p";
            del.Parameters.AddWithValue("$p", pos);
            del.ExecuteNonQuery();
            _sentAt.Remove(pos);
            _counts[(int)lane]--;
            _bytes -= size;
            _dropped[(int)lane]++;
        }

        if (victims.Count > 0)
        {
            SetMeta(tx, $"dropped_{(int)lane}", _dropped[(int)lane]);
        }
    }

    /// <summary>The next entry to send: highest lane first, oldest first within it, skipping lanes in <paramref name="skip"/>.</summary>
    public OutboxEntry? PeekNext(Func<Lane, bool>? skip = null)
    {
        // Sent but unacknowledged entries are sent again once they are this old.
        var stale = (_time.GetUtcNow() - AckTimeout).UtcTicks;
        for (var lane = Lane.Fire; lane <= Lane.Telemetry; lane++)
        {
            if (skip?.Invoke(lane) ?? false)
            {
                continue;
            }

            // Held entries need no disk. Within a lane the lower seq goes first, but the disk gets only
            // DiskPatience when a held entry is waiting: a stuck disk can't keep a fire alarm from the uplink.
            var held = lane <= Lane.Trouble ? _held.Next(lane, stale) : null;
            var stored = PeekStored(lane, stale, held is null ? Timeout.InfiniteTimeSpan : DiskPatience);
            if ((held, stored) switch { (null, null) => null, (null, _) => stored, (_, null) => held, _ => stored.Seq < held.Seq ? stored : held } is { } next)
            {
                return next;
            }
        }

        return null;
    }

    /// <summary>Disk reads that failed while looking for the next entry (the lane was skipped that time).</summary>
    public long ReadFailures => Interlocked.Read(ref _readFailures);

    private long _readFailures;

    /// <summary>How long the uplink waits for the disk when a held fire or trouble entry could go instead.</summary>
    private static readonly TimeSpan DiskPatience = TimeSpan.FromMilliseconds(20);

    private OutboxEntry? PeekStored(Lane lane, long stale, TimeSpan patience)
    {
        if (!_gate.TryEnter(patience))
        {
            return null; // the disk is busy or stuck (a write holds the lock): don't wait for it
        }

        try
        {
            {
                if (_counts[(int)lane] == 0)
                {
                    return null;
                }

                // Positions only, until one is not in flight: payloads are read for the one entry that is sent.
                long? chosen = null;
                using (var scan = _db.CreateCommand())
                {
                    scan.CommandText = "SELECT pos FROM outbox WHERE lane = $l ORDER BY pos";
                    scan.Parameters.AddWithValue("$l", (int)lane);
                    using var positions = scan.ExecuteReader();
                    while (chosen is null && positions.Read())
                    {
                        var pos = positions.GetInt64(0);
                        if (!_sentAt.TryGetValue(pos, out var sent) || sent < stale)
                        {
                            chosen = pos;
                        }
                    }
                }

                if (chosen is null)
                {
                    return null;
                }

                using var cmd = _db.CreateCommand();
                cmd.CommandText = "SELECT pos, kind, topic, payload, seq, created_ticks FROM outbox WHERE pos = $p";
                cmd.Parameters.AddWithValue("$p", chosen.Value);
                using var r = cmd.ExecuteReader();
                return r.Read()
                    ? new OutboxEntry(r.GetInt64(0), lane, r.GetString(1), r.GetString(2), (byte[])r[3], r.GetInt64(4), new DateTimeOffset(r.GetInt64(5), TimeSpan.Zero))
                    : null;
            }
        }
        catch (SqliteException)
        {
            // An unreadable disk must not keep held fire and trouble entries (other lanes) from the uplink.
            Interlocked.Increment(ref _readFailures);
            return null;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>How long a sent entry waits for the aggregator's acknowledgement before it is sent again.</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The broker accepted the entry (PUBACK success); it stays until the aggregator acknowledges it.</summary>
    public void MarkSent(OutboxEntry entry)
    {
        if (HeldEntries.IsHeld(entry))
        {
            _held.MarkSent(entry.Seq, _time.GetUtcNow().UtcTicks);
            return;
        }

        lock (_gate)
        {
            _sentAt[entry.Position] = _time.GetUtcNow().UtcTicks;
        }
    }

    /// <summary>
    /// Holds back one entry until <paramref name="until"/> (the broker refused it) without holding back the entries
    /// behind it: each entry has its own retry time. It is kept as a send time <see cref="AckTimeout"/> before the
    /// retry time, so the in-flight rule releases it then; a reconnect releases it at once.
    /// </summary>
    public void RetryAt(OutboxEntry entry, DateTimeOffset until)
    {
        var asIfSent = (until - AckTimeout).UtcTicks;
        if (HeldEntries.IsHeld(entry))
        {
            _held.MarkSent(entry.Seq, asIfSent);
            return;
        }

        lock (_gate)
        {
            _sentAt[entry.Position] = asIfSent;
        }
    }

    /// <summary>After a reconnect every unacknowledged entry is sent again (the aggregator ignores what it already has).</summary>
    public void ResendUnacknowledged()
    {
        _held.ResendAll();
        lock (_gate)
        {
            _sentAt.Clear();
        }
    }

    /// <summary>The aggregator has stored these sequence numbers: their entries are done. Returns how many were deleted.</summary>
    public int Acknowledge(IEnumerable<long> seqs)
    {
        var done = seqs.Where(s => s > 0).ToHashSet();
        var deleted = _held.Remove(done); // first, and without the disk: a held entry is done even if the disk is stuck
        lock (_gate)
        {
            EnsureSync(durable: false);
            using var tx = _db.BeginTransaction();
            using var cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "DELETE FROM outbox WHERE seq = $s RETURNING lane, length(payload), pos";
            var p = cmd.Parameters.Add("$s", SqliteType.Integer);
            foreach (var seq in done)
            {
                p.Value = seq;
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    _counts[r.GetInt32(0)]--;
                    _bytes -= r.GetInt64(1);
                    _sentAt.Remove(r.GetInt64(2));
                    deleted++;
                }
            }

            tx.Commit();
        }

        return deleted;
    }

    private void EnsureSync(bool durable)
    {
        if (_fullSync != durable)
        {
            Exec(durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
            _fullSync = durable;
        }
    }

    /// <summary>Removes an entry outright (tests and tools; the uplink waits for acknowledgements).</summary>
    public void Delete(OutboxEntry entry)
    {
        if (HeldEntries.IsHeld(entry))
        {
            _held.Remove([entry.Seq]);
            return;
        }

        lock (_gate)
        {
            EnsureSync(durable: false);
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "DELETE FROM outbox WHERE pos = $p";
            cmd.Parameters.AddWithValue("$p", entry.Position);
            if (cmd.ExecuteNonQuery() == 1)
            {
                _sentAt.Remove(entry.Position);
                _counts[(int)entry.Lane]--;
                _bytes -= entry.Payload.Length;
            }
        }
    }

    /// <summary>Age of the oldest waiting entry.</summary>
    public TimeSpan OldestAge()
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT MIN(created_ticks) FROM outbox";
            var oldest = Math.Min(cmd.ExecuteScalar() is long ticks ? ticks : long.MaxValue, _held.OldestCreatedTicks());
            return oldest == long.MaxValue ? TimeSpan.Zero : _time.GetUtcNow() - new DateTimeOffset(oldest, TimeSpan.Zero);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _db.Dispose();
        }
    }
}
