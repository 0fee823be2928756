using System.Globalization;

namespace EdgeWatch.Gateway.FireSafety;

/// <summary>
/// Proof that the fire path is alive, for the systemd watchdog and the health check: the alarm clock's thread
/// ticks (a timer on it every <see cref="AlarmClockTick"/>), the inputs were scanned within their interval, and the
/// heat probes were sampled within theirs. A stalled thread or a scan stuck on the bus makes <see cref="Problem"/>
/// say which, so the watchdog stops pinging and systemd restarts the gateway (which resumes a latched alarm).
/// </summary>
public sealed class FirePathLiveness(TimeProvider time)
{
    /// <summary>How often the alarm clock proves it runs.</summary>
    public static readonly TimeSpan AlarmClockTick = TimeSpan.FromMilliseconds(500);

    /// <summary>Missed intervals (plus a second of slack) before a part counts as stalled.</summary>
    private const int Missed = 3;

    private long _alarmClock;
    private long _scan;
    private long _heat;
    private TimeSpan _scanInterval;
    private TimeSpan? _heatInterval;
    private volatile bool _started;

    internal void Start(TimeSpan scanInterval, TimeSpan? heatInterval)
    {
        var now = time.GetTimestamp();
        Interlocked.Exchange(ref _alarmClock, now);
        Interlocked.Exchange(ref _scan, now);
        Interlocked.Exchange(ref _heat, now);
        _scanInterval = scanInterval;
        _heatInterval = heatInterval;
        _started = true;
    }

    internal void Intervals(TimeSpan scanInterval, TimeSpan? heatInterval)
    {
        _scanInterval = scanInterval;
        _heatInterval = heatInterval;
    }

    internal void AlarmClockTicked() => Interlocked.Exchange(ref _alarmClock, time.GetTimestamp());

    internal void Scanned() => Interlocked.Exchange(ref _scan, time.GetTimestamp());

    internal void HeatSampled() => Interlocked.Exchange(ref _heat, time.GetTimestamp());

    /// <summary>What is stalled, or null when the whole fire path is alive.</summary>
    public string? Problem
    {
        get
        {
            if (!_started)
            {
                return "fire-safety engine not started";
            }

            return Stalled("alarm clock", ref _alarmClock, AlarmClockTick)
                ?? Stalled("input scan", ref _scan, _scanInterval)
                ?? (_heatInterval is { } heat ? Stalled("heat sampling", ref _heat, heat) : null);
        }
    }

    private string? Stalled(string what, ref long last, TimeSpan interval)
    {
        var since = time.GetElapsedTime(Interlocked.Read(ref last));
        var limit = (interval * Missed) + TimeSpan.FromSeconds(1);
        return since > limit
            ? string.Create(CultureInfo.InvariantCulture, $"{what} stalled: last ran {since.TotalSeconds:0.0} s ago (limit {limit.TotalSeconds:0.0} s)")
            : null;
    }
}
