using EdgeWatch.Protocol;

namespace EdgeWatch.Cloud.Storage;

/// <summary>A notification to write with the incident step that causes it.</summary>
public sealed record NewNotification(string Channel, string Destination, int Priority, string Payload, string IdempotencyKey, DateTimeOffset GiveUpAt);

/// <summary>A notification in the outbox, as the delivery worker and the API see it.</summary>
public sealed record OutboxMessage(
    long Id, Guid IncidentId, Guid EventId, string Channel, string Destination, int Priority, string Payload, string IdempotencyKey,
    string Status, int Attempts, DateTimeOffset NextAttemptAt, DateTimeOffset GiveUpAt, string? LastError, DateTimeOffset? DeliveredAt,
    bool PossibleDuplicate = false);

/// <summary>
/// A failed delivery attempt: retried at <see cref="NextAttemptAt"/>, or failed for good after its give-up time or when
/// <see cref="GiveUp"/> (a refusal). When it fails for good, <see cref="Fallback"/> (the person's next channel) is
/// written in the same transaction. <see cref="MaybeSent"/> keeps the row in flight, so a resend is flagged.
/// </summary>
public sealed record AttemptFailure(long Id, int Attempts, string Failure, DateTimeOffset NextAttemptAt, DateTimeOffset Now, bool GiveUp, bool MaybeSent, IReadOnlyList<NewNotification> Fallback);

/// <summary>A person whom no channel reached for an incident: every one of their channels refused or gave up.</summary>
public sealed record UnreachedPerson(string Name, string Phone, string LastChannel, string? LastError);

/// <summary>
/// What a new incident writes with it: its notifications, the alert later messages are made from (escalations,
/// reminders, the all clear), and when its next step (escalation) is due.
/// </summary>
public sealed record IncidentPlan(IReadOnlyList<NewNotification> Notifications, string? Alert = null, DateTimeOffset? NextStepAt = null);

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
    Task<AlarmStored> InsertAlarmAsync(FireEvent alarm, DateTimeOffset receivedAt, Func<Guid, IncidentPlan> plan, CancellationToken cancellationToken);

    /// <summary>
    /// Pending notifications of a channel due at <paramref name="now"/>, most urgent first. A details SMS waits while
    /// a first message of its incident that can still fall back (one that gives up before the details do) is pending,
    /// so every person's first message, on whichever channel it ends up, goes before anyone's details.
    /// </summary>
    Task<IReadOnlyList<OutboxMessage>> DueAsync(string channel, DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>When the next pending notification of a channel is due; null when none is pending.</summary>
    Task<DateTimeOffset?> NextDueAsync(string channel, CancellationToken cancellationToken);

    Task MarkDeliveredAsync(long id, int attempts, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records a failed attempt (see <see cref="AttemptFailure"/>). Returns whether it is failed for good.</summary>
    Task<bool> MarkAttemptFailedAsync(AttemptFailure failure, CancellationToken cancellationToken);

    /// <summary>Marks a row in flight just before a non-idempotent send; a row still in flight becomes a possible duplicate.</summary>
    Task MarkInFlightAsync(long id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The people of an incident that no channel reached.</summary>
    Task<IReadOnlyList<UnreachedPerson>> UnreachedAsync(Guid incident, CancellationToken cancellationToken);

    Task<IReadOnlyList<OutboxMessage>> ListNotificationsAsync(Guid? incident, int limit, CancellationToken cancellationToken);
}
