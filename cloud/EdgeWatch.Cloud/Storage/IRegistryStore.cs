using EdgeWatch.Cloud.Site;

namespace EdgeWatch.Cloud.Storage;

/// <summary>An account of the HTTP API: <c>admin</c>, <c>officer</c>, <c>technician</c>, or <c>leader</c> of one group.</summary>
public sealed record Account(long Id, string Username, string Role, string? Group, string? PasswordHash);

/// <summary>The storage seam of the site registry and of accounts and API tokens (SQLite now; PostgreSQL later).</summary>
public interface IRegistryStore
{
    /// <summary>The stored registry, or null when none has been stored yet.</summary>
    Task<SiteDocument?> LoadRegistryAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the whole registry in one transaction (the document was validated as a whole first).</summary>
    Task ReplaceRegistryAsync(SiteDocument document, DateTimeOffset at, CancellationToken cancellationToken);

    Task<Account> CreateAccountAsync(string username, string role, string? group, string? passwordHash, DateTimeOffset at, CancellationToken cancellationToken);

    Task<Account?> FindAccountAsync(string username, CancellationToken cancellationToken);

    /// <summary>Stores an API token by its SHA-256 hash (the token itself is never stored).</summary>
    Task AddTokenAsync(long account, string tokenHash, string name, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The account of a token that exists and is not revoked.</summary>
    Task<Account?> FindTokenAsync(string tokenHash, CancellationToken cancellationToken);
}
