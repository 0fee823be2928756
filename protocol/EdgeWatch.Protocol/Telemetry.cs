namespace EdgeWatch.Protocol;

/// <summary>Outbox priority lanes, highest first. A lower number is always sent first; order is kept within a lane.</summary>
public enum Lane
{
    Fire = 0,
    Trouble = 1,
    Motion = 2,
    Telemetry = 3,
}

/// <summary>Periodic health of a gateway (topic <c>heartbeat</c>, telemetry lane).</summary>
public sealed record Heartbeat
{
    public int V { get; init; } = ProtocolVersion.Current;
    public required Guid Id { get; init; }
    public required long Seq { get; init; }
    public required string Gateway { get; init; }
    public required Guid Boot { get; init; }
    public required DateTimeOffset WallTime { get; init; }
    public required long MonotonicMs { get; init; }
    public required bool ClockSynced { get; init; }

    /// <summary>Entries waiting in the outbox per lane: fire, trouble, motion, telemetry.</summary>
    public required IReadOnlyList<int> Backlog { get; init; }

    /// <summary>Age of the oldest waiting entry, seconds.</summary>
    public double OldestSeconds { get; init; }

    /// <summary>Entries dropped because the outbox was full, per lane (fire and trouble are never dropped).</summary>
    public required IReadOnlyList<long> Dropped { get; init; }

    /// <summary>Heartbeats, motion events and snapshots lost to storage errors (disk full, I/O error) since start.</summary>
    public long StorageFailures { get; init; }

    /// <summary>Last broker rejection or connection error, if any.</summary>
    public string? LastError { get; init; }
}

/// <summary>Motion on a camera (topic <c>evt/motion</c>). Phases: start, update, end.</summary>
public sealed record MotionEvent
{
    public int V { get; init; } = ProtocolVersion.Current;
    public required Guid Id { get; init; }
    public required long Seq { get; init; }
    public required string Site { get; init; }
    public required string Gateway { get; init; }
    public required Guid Boot { get; init; }

    /// <summary>The motion event this message belongs to (the id of its start message).</summary>
    public required Guid EventId { get; init; }
    public required string Camera { get; init; }
    public required string Phase { get; init; }
    public IReadOnlyList<string> Zones { get; init; } = [];

    /// <summary>Boxes as [x, y, w, h] in detect-resolution pixels.</summary>
    public IReadOnlyList<int[]> Boxes { get; init; } = [];

    /// <summary>Largest moving area as a share of the frame, 0–1.</summary>
    public double PeakArea { get; init; }
    public bool Armed { get; init; }

    /// <summary>Whether the person check found a person at the event's start: true, false, or null (unknown: it did not run).</summary>
    public bool? Person { get; init; }
    public required DateTimeOffset WallTime { get; init; }
    public required long MonotonicMs { get; init; }
    public required bool ClockSynced { get; init; }
}

/// <summary>
/// The aggregator's end-to-end acknowledgement (topic <c>ack</c>): these sequence numbers are stored. A gateway deletes an
/// outbox entry only when both the broker (PUBACK success) and the aggregator (this) have it, so a broker that crashes
/// after its PUBACK cannot lose an event.
/// </summary>
public sealed record Acknowledgement
{
    public int V { get; init; } = ProtocolVersion.Current;
    public required IReadOnlyList<long> Seqs { get; init; }
}

/// <summary>MQTT 5 user properties EdgeWatch sets.</summary>
public static class UserProperties
{
    /// <summary>The gateway sequence number of an outbox message (also for binary payloads such as snapshots).</summary>
    public const string Seq = "seq";

    /// <summary>
    /// On a snapshot sent in pieces: <c>index/count</c>, for example <c>0/5</c>. The receiver puts the pieces of one
    /// event id back together and acknowledges the seq once the whole snapshot is stored. Without it, the payload is
    /// the whole snapshot.
    /// </summary>
    public const string Chunk = "chunk";

    public static string FormatChunk(int index, int count) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{index}/{count}");

    /// <summary>Parses <see cref="Chunk"/>; false for anything but <c>index/count</c> with 0 ≤ index &lt; count.</summary>
    public static bool TryParseChunk(string? value, out int index, out int count)
    {
        index = count = 0;
        var slash = value?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        return slash > 0
            && int.TryParse(value.AsSpan(0, slash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index)
            && int.TryParse(value.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count)
            && index < count;
    }
}

/// <summary>Limits every EdgeWatch component enforces on the wire.</summary>
public static class WireLimits
{
    /// <summary>A snapshot JPEG larger than this is refused before it is queued.</summary>
    public const int MaxSnapshotBytes = 256 * 1024;

    /// <summary>Any other payload larger than this is refused.</summary>
    public const int MaxPayloadBytes = 64 * 1024;
}
