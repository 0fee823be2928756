using EdgeWatch.Protocol;

namespace EdgeWatch.Gateway.FireSafety;

/// <summary>Where raised events go. Publishing never blocks and never throws for a network problem.</summary>
public interface IFireEventSink
{
    void Publish(FireEvent fireEvent);
}

/// <summary>Identity of this gateway: site, gateway id, and the fire-safety group it serves.</summary>
public sealed record GatewayIdentity(string Site, string Gateway, string Group);

/// <summary>Tells whether the wall clock can be trusted (a Pi without an RTC boots in 1970).</summary>
public interface IClockSync
{
    bool IsSynced(DateTimeOffset now);
}

/// <summary>Trusts the wall clock once it is later than this build could have been made.</summary>
public sealed class PlausibleClock : IClockSync
{
    private static readonly DateTimeOffset Earliest = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public bool IsSynced(DateTimeOffset now) => now >= Earliest;
}

/// <summary>Stamps events with a UUIDv7 id, the gateway's sequence number, wall and monotonic time.</summary>
public sealed class FireEventFactory(GatewayIdentity identity, TimeProvider time, IClockSync clock)
{
    private readonly long _origin = time.GetTimestamp();
    private long _seq;

    public GatewayIdentity Identity { get; } = identity;

    public long LastSeq => Interlocked.Read(ref _seq);

    /// <summary>Continues numbering after <paramref name="seq"/> (for a store that survived a restart).</summary>
    public void ContinueAfter(long seq) => Interlocked.Exchange(ref _seq, Math.Max(seq, Interlocked.Read(ref _seq)));

    public FireEvent Create(FireEventKind kind, string? household = null, string? channel = null, string? cause = null, double? value = null, bool test = false)
    {
        var now = time.GetUtcNow();
        return new FireEvent
        {
            Id = Guid.CreateVersion7(now),
            Seq = Interlocked.Increment(ref _seq),
            Site = Identity.Site,
            Gateway = Identity.Gateway,
            Group = Identity.Group,
            Kind = kind,
            Household = household,
            Channel = channel,
            Cause = cause,
            Value = value,
            Test = test,
            WallTime = now,
            MonotonicMs = (long)time.GetElapsedTime(_origin).TotalMilliseconds,
            ClockSynced = clock.IsSynced(now),
        };
    }
}
