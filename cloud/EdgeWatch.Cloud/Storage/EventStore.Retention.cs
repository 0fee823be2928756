namespace EdgeWatch.Cloud.Storage;

public sealed partial class EventStore : IRetentionStore
{
    public async Task<RetentionPass> PruneAsync(RetentionCutoffs cutoffs, CancellationToken cancellationToken)
    {
        // Resolved incidents first (their notifications and audit go with them), so an event of an unresolved
        // incident, which is kept, is never left without it.
        await DeleteAsync(
            """
            DELETE FROM notification_outbox WHERE status != 'pending'
              AND incident_id IN (SELECT id FROM incidents WHERE status = 'resolved' AND resolved_at < $cut)
            """, cutoffs.Audit, cancellationToken).ConfigureAwait(false);
        await DeleteAsync(
            """
            DELETE FROM incident_log WHERE incident IN (SELECT i.id FROM incidents i WHERE i.status = 'resolved' AND i.resolved_at < $cut
              AND NOT EXISTS (SELECT 1 FROM notification_outbox o WHERE o.incident_id = i.id))
            """, cutoffs.Audit, cancellationToken).ConfigureAwait(false);
        var incidents = await DeleteAsync(
            """
            DELETE FROM incidents WHERE status = 'resolved' AND resolved_at < $cut
              AND NOT EXISTS (SELECT 1 FROM notification_outbox o WHERE o.incident_id = incidents.id)
            """, cutoffs.Audit, cancellationToken).ConfigureAwait(false);
        var events = await DeleteAsync(
            """
            DELETE FROM events WHERE received_at < $cut
              AND id NOT IN (SELECT first_event FROM incidents)
              AND COALESCE(alarm_id, id) NOT IN (SELECT id FROM incidents)
            """, cutoffs.Events, cancellationToken).ConfigureAwait(false);
        return new RetentionPass(
            events,
            await DeleteAsync("DELETE FROM motion_events WHERE received_at < $cut", cutoffs.Motion, cancellationToken).ConfigureAwait(false),
            await DeleteAsync("DELETE FROM snapshots WHERE received_at < $cut", cutoffs.Snapshots, cancellationToken).ConfigureAwait(false),
            await DeleteAsync("DELETE FROM heartbeats WHERE received_at < $cut", cutoffs.Heartbeats, cancellationToken).ConfigureAwait(false),
            await DeleteAsync("DELETE FROM rejected WHERE received_at < $cut", cutoffs.Rejected, cancellationToken).ConfigureAwait(false),
            incidents);
    }

    /// <summary>Runs one <c>DELETE</c> with <c>$cut</c>; returns the rows it removed.</summary>
    private Task<int> DeleteAsync(string sql, DateTimeOffset cut, CancellationToken cancellationToken) =>
        WriteAsync(sql, c => c.Parameters.AddWithValue("$cut", Iso(cut)), cancellationToken);
}
