namespace EdgeWatch.Testing;

/// <summary>
/// A wall clock that reads <paramref name="start"/> when created and then runs at real speed, in a fixed time zone
/// (UTC unless given). Timers and timestamps stay the system's, so a whole host can run on it while a test decides
/// what time of day it is (arming windows, schedules).
/// </summary>
public sealed class ShiftedClock(DateTimeOffset start, TimeZoneInfo? zone = null) : TimeProvider
{
    private readonly long _startedAt = System.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => start.ToUniversalTime() + GetElapsedTime(_startedAt);

    public override TimeZoneInfo LocalTimeZone { get; } = zone ?? TimeZoneInfo.Utc;
}
