namespace EdgeWatch.Cloud.Ingest;

/// <summary>
/// Corrects the times of events from gateways whose wall clock is not synced (a Pi without an RTC boots in 1970).
/// Every message carries its gateway's boot id and monotonic milliseconds. For each boot the corrector keeps the best
/// estimate of the wall time at which the monotonic clock started: exact once any message of that boot says its clock
/// is synced (wall − monotonic), otherwise the earliest (received − monotonic) seen, which is late by at most one
/// network transit. An unsynced event's time is that boot start plus its monotonic time.
/// </summary>
public sealed class ClockCorrector
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Gateway, Guid Boot), (DateTimeOffset Start, bool Exact)> _boots = [];

    public DateTimeOffset Correct(string gateway, Guid boot, long monotonicMs, DateTimeOffset wallTime, bool clockSynced, DateTimeOffset receivedAt)
    {
        var key = (gateway, boot);
        var mono = TimeSpan.FromMilliseconds(monotonicMs);
        lock (_gate)
        {
            var known = _boots.TryGetValue(key, out var b);
            if (clockSynced)
            {
                if (!known || !b.Exact)
                {
                    _boots[key] = (wallTime - mono, true);
                }

                return wallTime;
            }

            var estimate = receivedAt - mono;
            if (!known || (!b.Exact && estimate < b.Start))
            {
                _boots[key] = b = (estimate, false);
            }

            return b.Start + mono;
        }
    }
}
