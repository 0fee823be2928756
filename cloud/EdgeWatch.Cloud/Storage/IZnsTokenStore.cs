namespace EdgeWatch.Cloud.Storage;

public sealed record ZnsTokens(string AccessToken, string RefreshToken, DateTimeOffset ExpiresAt);

/// <summary>Where the Zalo OAuth tokens are kept: one pair, replaced atomically on every refresh.</summary>
public interface IZnsTokenStore
{
    Task<ZnsTokens?> GetZnsTokensAsync(CancellationToken cancellationToken);

    Task SaveZnsTokensAsync(ZnsTokens tokens, DateTimeOffset at, CancellationToken cancellationToken);
}
