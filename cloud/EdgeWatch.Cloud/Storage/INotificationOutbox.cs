using EdgeWatch.Protocol;

namespace EdgeWatch.Cloud.Storage;

/// <summary>A notification to write with the incident step that causes it.</summary>
public sealed record NewNotification(string Channel, string Destination, int Priority, string Payload, string IdempotencyKey, DateTimeOffset GiveUpAt);

/// <summary>A notification in the outbox, as the delivery worker and the API see it.</summary>
public sealed record OutboxMessage(
    long Id, Guid IncidentId, Guid EventId, string Channel, string Destination, int Priority, string Payload, string IdempotencyKey,
    string Status, int Attempts, DateTimeOffset NextAttemptAt, DateTimeOffset GiveUpAt, string? LastError, DateTimeOffset? DeliveredAt);

/// <summary>What storing a fire alarm did: whether the event was new, and the incident it opened, if any.</summary>
public sealed record AlarmStored(bool Fresh, Guid? OpenedIncident, Guid? JoinedAlarm);

/// <summary>
/// The storage seam of incidents and the durable notification outbox (SQLite now; a PostgreSQL store implements the
/// same for scale-out). Statuses: <c>pending</c>, <c>delivered</c>, <c>failed</c> (given up).
/// </summary>
public interface INotificationOutbox
{
    /// <summary>
    /// Stores a fire alarm event and, in the same transaction, opens its incident and writes the incident's
    /// notifications, unless the alarm (by <see cref="FireEvent.AlarmId"/>) is known already: then the event joins it.
    /// A redelivered event changes nothing.
    /// </summary>
    Task<AlarmStored> InsertAlarmAsync(FireEvent alarm, DateTimeOffset receivedAt, Func<Guid, IReadOnlyList<NewNotification>> notifications, CancellationToken cancellationToken);

    /// <summary>Pending notifications of a channel due at <paramref name="now"/>, most urgent first.</summary>
    Task<IReadOnlyList<OutboxMessage>> DueAsync(string channel, DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>When the next pending notification of a channel is due; null when none is pending.</summary>
    Task<DateTimeOffset?> NextDueAsync(string channel, CancellationToken cancellationToken);

    Task MarkDeliveredAsync(long id, int attempts, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Records a failed attempt: retried at <paramref name="nextAttemptAt"/>, or failed for good after its give-up
    /// time or when <paramref name="giveUp"/> (a refusal). Returns whether it is failed for good.
    /// </summary>
    Task<bool> MarkAttemptFailedAsync(long id, int attempts, string failure, DateTimeOffset nextAttemptAt, DateTimeOffset now, bool giveUp, CancellationToken cancellationToken);

    Task<IReadOnlyList<OutboxMessage>> ListNotificationsAsync(Guid? incident, int limit, CancellationToken cancellationToken);
}
