namespace EdgeWatch.Cloud.Ingest;

/// <summary>What is known of when one gateway boot's monotonic clock started.</summary>
public readonly record struct BootStart(DateTimeOffset Start, bool Exact);

/// <summary>
/// Corrects the times of events from gateways whose wall clock is not synced (a Pi without an RTC boots in 1970).
/// Every message carries its gateway's boot id and monotonic milliseconds. For each boot the corrector keeps the best
/// estimate of the wall time at which the monotonic clock started: exact once any message of that boot says its clock
/// is synced (wall − monotonic), otherwise the earliest (received − monotonic) seen, which is late by at most the
/// smallest delivery delay. An unsynced event's time is that boot start plus its monotonic time; the store applies the
/// latest estimate when it is read, so a backlog delivered late still lands at the right time.
/// </summary>
public sealed class ClockCorrector
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Gateway, Guid Boot), BootStart> _boots = [];

    /// <summary>Feeds one message; returns the boot's start and whether this message improved it.</summary>
    public (BootStart Boot, bool Changed) Observe(string gateway, Guid boot, long monotonicMs, DateTimeOffset wallTime, bool clockSynced, DateTimeOffset receivedAt)
    {
        var key = (gateway, boot);
        var mono = TimeSpan.FromMilliseconds(monotonicMs);
        lock (_gate)
        {
            var known = _boots.TryGetValue(key, out var b);
            if (clockSynced && (!known || !b.Exact))
            {
                b = new BootStart(wallTime - mono, true);
                _boots[key] = b;
                return (b, true);
            }

            var estimate = receivedAt - mono;
            if (!known || (!b.Exact && estimate < b.Start))
            {
                b = new BootStart(estimate, false);
                _boots[key] = b;
                return (b, true);
            }

            return (b, false);
        }
    }

    /// <summary>The best time for a message, with what is known now.</summary>
    public DateTimeOffset Correct(string gateway, Guid boot, long monotonicMs, DateTimeOffset wallTime, bool clockSynced, DateTimeOffset receivedAt)
    {
        var (b, _) = Observe(gateway, boot, monotonicMs, wallTime, clockSynced, receivedAt);
        return clockSynced ? wallTime : b.Start + TimeSpan.FromMilliseconds(monotonicMs);
    }
}
