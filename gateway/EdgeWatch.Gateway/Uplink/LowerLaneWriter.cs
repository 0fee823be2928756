using EdgeWatch.Protocol;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>
/// Writes heartbeats, motion events and snapshots to the outbox. A storage error (disk full, I/O error, a corrupt
/// database) is logged and counted, and the message is lost: it never throws into the service or the camera thread
/// that produced it, so a bad disk can't stop the host (and with it the engine and the sirens). Fire and trouble
/// events don't come here; they go through <see cref="DurableEventWriter"/>, which never gives them up.
/// </summary>
public sealed partial class LowerLaneWriter(Outbox outbox, ILogger<LowerLaneWriter> logger, StorageFaults? faults = null)
{
    private long _failures;
    private volatile bool _failing;

    /// <summary>Lower-lane messages lost to storage errors since start.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public bool TryEnqueue(Lane lane, string kind, string topic, byte[] payload, long seq)
    {
        if (lane <= Lane.Trouble)
        {
            throw new ArgumentOutOfRangeException(nameof(lane), lane, "fire and trouble events go through the DurableEventWriter");
        }

        try
        {
            var stored = outbox.Enqueue(lane, kind, topic, payload, seq) != EnqueueOutcome.Dropped;
            if (_failing)
            {
                _failing = false;
                faults?.Report(nameof(LowerLaneWriter), null);
            }

            return stored;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            var failures = Interlocked.Increment(ref _failures);
            StorageFailed(logger, kind, seq, failures, ex.Message);
            _failing = true;
            faults?.Report(nameof(LowerLaneWriter), $"outbox refused {kind} seq {seq}: {ex.Message}");
            return false;
        }
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Error, Message = "Storing {Kind} seq {Seq} in the outbox failed ({Failures} lower-lane messages lost so far): {Error}; fire safety is not affected")]
    private static partial void StorageFailed(ILogger logger, string kind, long seq, long failures, string error);
}
