namespace EdgeWatch.Cloud.Storage;

/// <summary>The cut-off times: records received (or incidents resolved) before them go.</summary>
public sealed record RetentionCutoffs(DateTimeOffset Events, DateTimeOffset Motion, DateTimeOffset Snapshots, DateTimeOffset Heartbeats, DateTimeOffset Rejected, DateTimeOffset Audit);

/// <summary>What one pass removed, by kind.</summary>
public sealed record RetentionPass(int Events, int Motion, int Snapshots, int Heartbeats, int Rejected, int Incidents)
{
    public int Total => Events + Motion + Snapshots + Heartbeats + Rejected + Incidents;
}

/// <summary>The storage seam of retention (SQLite now; PostgreSQL later).</summary>
public interface IRetentionStore
{
    Task<RetentionPass> PruneAsync(RetentionCutoffs cutoffs, CancellationToken cancellationToken);
}
