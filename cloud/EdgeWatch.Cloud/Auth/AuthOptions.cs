using EdgeWatch.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Auth;

/// <summary>The API's first administrator (section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// An admin API token to accept from the start (the installer or <c>site init</c> makes it): the <c>admin</c>
    /// account is created with it on first start. Without it nobody can manage the site through the API. Never logged.
    /// </summary>
    public string? AdminToken { get; set; }
}

public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions o) =>
        o.AdminToken is { } t && (!t.StartsWith(ApiTokens.Prefix, StringComparison.Ordinal) || t.Length < 32)
            ? ValidateOptionsResult.Fail($"Auth:AdminToken must start with '{ApiTokens.Prefix}' and be at least 32 characters")
            : ValidateOptionsResult.Success;
}

/// <summary>Creates the <c>admin</c> account with <see cref="AuthOptions.AdminToken"/> at start, once.</summary>
public sealed class AdminBootstrap(IRegistryStore store, IOptions<AuthOptions> options, TimeProvider time) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AdminToken is not { } token)
        {
            return;
        }

        var admin = await store.FindAccountAsync("admin", cancellationToken).ConfigureAwait(false)
            ?? await store.CreateAccountAsync("admin", Roles.Admin, null, null, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await store.AddTokenAsync(admin.Id, ApiTokens.Hash(token), "Auth:AdminToken", time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
