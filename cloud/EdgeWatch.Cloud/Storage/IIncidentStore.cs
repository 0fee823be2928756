namespace EdgeWatch.Cloud.Storage;

/// <summary>An incident as the lifecycle and the API see it.</summary>
public sealed record IncidentRecord(
    Guid Id, string Kind, string Group, string Status, int Level, int Reminders, DateTimeOffset OpenedAt, DateTimeOffset? NextStepAt,
    string? Alert, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, string? AcknowledgedVia, DateTimeOffset? ResolvedAt);

/// <summary>One step of an incident's audit trail: opened, notified, escalated, reminded, acknowledged, resolved.</summary>
public sealed record IncidentStep(DateTimeOffset At, string Step, string? Actor, string? Detail);

/// <summary>
/// A step that moves an open, unacknowledged incident on (an escalation or a reminder): its new level, reminders and
/// next step time, and the notifications it sends, written in one transaction, and only if nobody acknowledged first.
/// </summary>
public sealed record IncidentAdvance(Guid Id, int FromLevel, int FromReminders, int Level, int Reminders, DateTimeOffset? NextStepAt, IReadOnlyList<NewNotification> Notifications, IncidentStep Log);

/// <summary>
/// An incident that is not a fire alarm (a gateway offline, trouble), opened with its notifications and first audit
/// step in one transaction. <see cref="Alert"/> is the alert its later messages are made from.
/// </summary>
public sealed record NewIncident(Guid Id, string Kind, string Group, string Alert, IReadOnlyList<NewNotification> Notifications, IncidentStep Log)
{
    /// <summary>When it escalates if nobody acknowledges (motion, as a fire); null: it doesn't.</summary>
    public DateTimeOffset? NextStepAt { get; init; }
}

/// <summary>Someone an incident reached: the first channel that was accepted, and that notification's payload.</summary>
public sealed record ReachedPerson(string Channel, string Destination, string Payload);

/// <summary>The storage seam of the incident lifecycle (SQLite now; PostgreSQL later).</summary>
public interface IIncidentStore
{
    Task<IncidentRecord?> GetIncidentAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Open, unacknowledged incidents whose next step is due at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<IncidentRecord>> DueIncidentsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Applies an escalation or reminder; false when the incident was acknowledged, resolved or moved on meanwhile.</summary>
    Task<bool> AdvanceIncidentAsync(IncidentAdvance advance, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The first acknowledgement wins; false when the incident is unknown, acknowledged or resolved already.</summary>
    Task<bool> AcknowledgeAsync(Guid id, string by, string via, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The newest open, unacknowledged incident that notified <paramref name="phone"/> (<c>84…</c>).</summary>
    Task<Guid?> OpenIncidentNotifyingAsync(string phone, CancellationToken cancellationToken);

    /// <summary>Resolves a group's open incidents and writes their all-clear messages; returns the incidents resolved.</summary>
    Task<IReadOnlyList<Guid>> ResolveGroupAsync(string group, string by, DateTimeOffset now, Func<Guid, IReadOnlyList<ReachedPerson>, IReadOnlyList<NewNotification>> allClear, CancellationToken cancellationToken);

    /// <summary>Opens an incident that no event's transaction opens (gateway offline, trouble).</summary>
    Task OpenIncidentAsync(NewIncident incident, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Writes a step into an incident's audit trail (a trouble joining it, one inhibited by an outage).</summary>
    Task LogIncidentStepAsync(Guid id, IncidentStep entry, CancellationToken cancellationToken);

    /// <summary>The latest incidents of a kind, newest first.</summary>
    Task<IReadOnlyList<IncidentRecord>> RecentIncidentsAsync(string kind, int count, CancellationToken cancellationToken);

    /// <summary>The incidents of a kind that are open or acknowledged, oldest first.</summary>
    Task<IReadOnlyList<IncidentRecord>> UnresolvedIncidentsAsync(string kind, CancellationToken cancellationToken);

    /// <summary>
    /// Resolves one incident, if it is not resolved yet, with the closing message made inside the transaction for
    /// whom it reached (<paramref name="closing"/>); false when it was already resolved.
    /// </summary>
    Task<bool> ResolveIncidentAsync(Guid id, string by, string detail, DateTimeOffset now, Func<Guid, IReadOnlyList<ReachedPerson>, IReadOnlyList<NewNotification>> closing, CancellationToken cancellationToken);

    Task<IReadOnlyList<IncidentStep>> IncidentLogAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>A secret the aggregator keeps (the key of signed links), made on first use.</summary>
    Task<string> SecretAsync(string name, Func<string> create, CancellationToken cancellationToken);
}
