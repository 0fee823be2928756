using System.Security.Claims;
using System.Text.Encodings.Web;
using EdgeWatch.Cloud.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer ew_…</c> (or <c>X-Api-Key: ew_…</c>) against the stored token hashes. No
/// token: no identity (401 where one is required). A wrong or revoked token fails. A later dashboard adds cookie
/// sign-in on the same accounts.
/// </summary>
public sealed class TokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IRegistryStore store)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "EdgeWatchToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = null;
        if (Request.Headers.Authorization.ToString() is { Length: > 7 } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header[7..].Trim();
        }
        else if (Request.Headers["X-Api-Key"].ToString() is { Length: > 0 } key)
        {
            token = key.Trim();
        }

        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (await store.FindTokenAsync(ApiTokens.Hash(token), Context.RequestAborted).ConfigureAwait(false) is not { } account)
        {
            return AuthenticateResult.Fail("unknown or revoked token");
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, account.Username), new(ClaimTypes.Role, account.Role) };
        if (account.Group is { } group)
        {
            claims.Add(new Claim(Roles.GroupClaim, group));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }
}
