namespace EdgeWatch.Cloud.Storage;

/// <summary>
/// A silence: the <see cref="Kinds"/> of incidents (<c>trouble</c>, <c>offline</c>) of one gateway, between
/// <see cref="StartsAt"/> and <see cref="EndsAt"/> (or until <see cref="ExpiredAt"/>, when someone ended it early).
/// </summary>
public sealed record Silence(
    Guid Id, string Gateway, IReadOnlyList<string> Kinds, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string CreatedBy, string Comment,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiredAt)
{
    public bool Covers(string gateway, string kind, DateTimeOffset at) =>
        Gateway == gateway && Kinds.Contains(kind) && StartsAt <= at && at < EndsAt && (ExpiredAt is null || at < ExpiredAt);
}

/// <summary>The storage seam of silences (SQLite now; PostgreSQL later).</summary>
public interface ISilenceStore
{
    Task AddSilenceAsync(Silence silence, CancellationToken cancellationToken);

    /// <summary>Silences that have not ended by <paramref name="now"/>, soonest first.</summary>
    Task<IReadOnlyList<Silence>> CurrentSilencesAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Ends a silence now; false when there is none by that id or it had ended.</summary>
    Task<bool> ExpireSilenceAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken);
}
