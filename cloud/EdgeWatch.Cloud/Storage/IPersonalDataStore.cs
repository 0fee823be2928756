namespace EdgeWatch.Cloud.Storage;

/// <summary>A message the aggregator sent a person, as their data export shows it.</summary>
public sealed record SentMessage(Guid Incident, string Channel, string Status, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, string Payload);

/// <summary>What the store holds about one person beyond the registry: messages to them, and audit steps naming them.</summary>
public sealed record StoredPersonalData(IReadOnlyList<SentMessage> Messages, IReadOnlyList<IncidentStep> Steps);

/// <summary>What an erasure changed in the store.</summary>
public sealed record ErasedRows(int Messages, int Acknowledgements, int Steps);

/// <summary>
/// The storage seam of a person's data (Vietnam's Decree 13/2023): export it, and erase it. Erasure keeps that a
/// message went out (the audit of an incident stays whole) but not to whom: destination, name, number and address
/// in the payload become <see cref="Erased"/>.
/// </summary>
public interface IPersonalDataStore
{
    const string Erased = "erased";

    Task<StoredPersonalData> ExportPersonAsync(string phone, string? email, string name, CancellationToken cancellationToken);

    /// <param name="registryPhone">The number as the registry writes it (<c>+84 90 001 0101</c>), as the webhook body carries it.</param>
    Task<ErasedRows> ErasePersonAsync(string phone, string registryPhone, string? email, string name, CancellationToken cancellationToken);
}
