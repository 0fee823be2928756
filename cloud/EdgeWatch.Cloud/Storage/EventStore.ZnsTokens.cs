namespace EdgeWatch.Cloud.Storage;

public sealed partial class EventStore : IZnsTokenStore
{
    public async Task<ZnsTokens?> GetZnsTokensAsync(CancellationToken cancellationToken) =>
        (await QueryAsync(
            "SELECT access_token, refresh_token, expires_at FROM zns_tokens WHERE id = 1",
            _ => { },
            r => new ZnsTokens(r.GetString(0), r.GetString(1), Parse(r.GetString(2))),
            cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    public Task SaveZnsTokensAsync(ZnsTokens tokens, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(
            """
            INSERT INTO zns_tokens (id, access_token, refresh_token, expires_at, refreshed_at) VALUES (1, $a, $r, $e, $at)
            ON CONFLICT(id) DO UPDATE SET access_token = excluded.access_token, refresh_token = excluded.refresh_token,
                expires_at = excluded.expires_at, refreshed_at = excluded.refreshed_at
            """,
            cmd =>
            {
                cmd.Parameters.AddWithValue("$a", tokens.AccessToken);
                cmd.Parameters.AddWithValue("$r", tokens.RefreshToken);
                cmd.Parameters.AddWithValue("$e", Iso(tokens.ExpiresAt));
                cmd.Parameters.AddWithValue("$at", Iso(at));
            },
            cancellationToken);
}
