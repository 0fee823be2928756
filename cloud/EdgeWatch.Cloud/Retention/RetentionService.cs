using EdgeWatch.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Retention;

/// <summary>
/// Removes records past their retention (<see cref="RetentionOptions"/>) every <see cref="RetentionOptions.Every"/>,
/// on the aggregator's clock: snapshots, motion, heartbeats and rejected payloads by age; fire-lane events by age
/// unless an incident still refers to them; resolved incidents with their notifications and audit trail by the time
/// they were resolved. Nothing unresolved, and no notification still pending, is ever removed.
/// </summary>
public sealed partial class RetentionService(IRetentionStore store, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var tick = new PeriodicTimer(options.Value.Every, time);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Microsoft.Data.Sqlite.SqliteException ex)
                {
                    PruneFailed(logger, ex.Message); // tried again on the next tick
                }
            }
            while (await tick.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task<RetentionPass> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var o = options.Value;
        var pass = await store.PruneAsync(
            new RetentionCutoffs(now.AddDays(-o.EventsDays), now.AddDays(-o.MotionDays), now.AddDays(-o.SnapshotsDays), now.AddDays(-o.HeartbeatsDays),
                now.AddDays(-o.RejectedDays), now.AddDays(-o.AuditDays)),
            cancellationToken).ConfigureAwait(false);
        if (pass.Total > 0)
        {
            Pruned(logger, pass.Events, pass.Motion, pass.Snapshots, pass.Heartbeats, pass.Rejected, pass.Incidents);
        }

        return pass;
    }

    [LoggerMessage(EventId = 4600, Level = LogLevel.Information, Message = "Retention removed {Events} events, {Motion} motion events, {Snapshots} snapshots, {Heartbeats} heartbeats, {Rejected} rejected payloads, {Incidents} resolved incidents")]
    private static partial void Pruned(ILogger logger, int events, int motion, int snapshots, int heartbeats, int rejected, int incidents);

    [LoggerMessage(EventId = 4601, Level = LogLevel.Error, Message = "Retention: a pass failed: {Error}")]
    private static partial void PruneFailed(ILogger logger, string error);
}
