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

/// <summary>
/// Stamps every message a gateway sends: a UUIDv7 id, the gateway's sequence number (shared by all lanes and
/// continued across restarts from the outbox), the boot id, wall and monotonic time, and whether the wall clock is synced.
/// </summary>
public sealed class EventStamper(TimeProvider time, IClockSync clock)
{
    private readonly long _origin = time.GetTimestamp();
    private long _seq;

    public Guid Boot { get; } = Guid.CreateVersion7();

    public long LastSeq => Interlocked.Read(ref _seq);

    /// <summary>Continues numbering after <paramref name="seq"/> (for a store that survived a restart).</summary>
    public void ContinueAfter(long seq)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _seq);
            if (seq <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _seq, seq, current) != current);
    }

    /// <summary>Told of every issued sequence number (the gateway reserves them ahead on disk, off this path).</summary>
    public Action<long>? Issued { get; set; }

    public Stamp Next()
    {
        var now = time.GetUtcNow();
        var seq = Interlocked.Increment(ref _seq);
        Issued?.Invoke(seq);
        return new Stamp(Guid.CreateVersion7(now), seq, Boot, now, (long)time.GetElapsedTime(_origin).TotalMilliseconds, clock.IsSynced(now));
    }
}

public readonly record struct Stamp(Guid Id, long Seq, Guid Boot, DateTimeOffset WallTime, long MonotonicMs, bool ClockSynced);

/// <summary>Creates fire-safety events for this gateway.</summary>
public sealed class FireEventFactory(GatewayIdentity identity, EventStamper stamper)
{
    public FireEventFactory(GatewayIdentity identity, TimeProvider time, IClockSync clock)
        : this(identity, new EventStamper(time, clock))
    {
    }

    public GatewayIdentity Identity { get; } = identity;

    public EventStamper Stamper { get; } = stamper;

    /// <summary>Longest <see cref="FireEvent.Detail"/> sent (asyncapi: maxLength 200).</summary>
    public const int MaxDetailLength = 200;

    public FireEvent Create(FireEventKind kind, string? household = null, string? channel = null, string? cause = null, double? value = null, bool test = false, string? detail = null)
    {
        var s = Stamper.Next();
        return new FireEvent
        {
            Id = s.Id,
            Seq = s.Seq,
            Site = Identity.Site,
            Gateway = Identity.Gateway,
            Group = Identity.Group,
            Boot = s.Boot,
            Kind = kind,
            Household = household,
            Channel = channel,
            Cause = cause,
            Value = value,
            Detail = detail is { Length: > MaxDetailLength } ? detail[..MaxDetailLength] : detail,
            Test = test,
            WallTime = s.WallTime,
            MonotonicMs = s.MonotonicMs,
            ClockSynced = s.ClockSynced,
        };
    }
}
