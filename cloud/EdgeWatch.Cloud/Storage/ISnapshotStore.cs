namespace EdgeWatch.Cloud.Storage;

/// <summary>Where the gateways' privacy-masked motion snapshots are kept (JPEG, one per motion event).</summary>
public interface ISnapshotStore
{
    /// <summary>The snapshot of a motion event, or null while it hasn't arrived (or after retention removed it).</summary>
    Task<byte[]?> GetSnapshotAsync(Guid eventId, CancellationToken cancellationToken);
}
