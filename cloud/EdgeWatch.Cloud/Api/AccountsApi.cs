using System.Text.RegularExpressions;
using EdgeWatch.Cloud.Auth;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace EdgeWatch.Cloud.Api;

public sealed record TokenRequest(string? Username, string? Password);
public sealed record TokenIssued(string Token, string Username, string Role, string? Group);
public sealed record NewAccount(string? Username, string? Password, string? Role, string? Group);
public sealed record AccountView(string Username, string Role, string? Group);
public sealed record NewToken(string? Name);

/// <summary>
/// Accounts and API tokens. <c>POST /api/auth/token</c> trades a username and password for a token; an admin creates
/// accounts (passwords hashed with ASP.NET Core's <see cref="PasswordHasher{TUser}"/>) and tokens for machines.
/// </summary>
public static partial class AccountsApi
{
    private static readonly PasswordHasher<Account> Hasher = new();

    public static void MapAccountsApi(this WebApplication app)
    {
        app.MapPost("/api/auth/token", async Task<Results<Ok<TokenIssued>, UnauthorizedHttpResult, ValidationProblem>> (TokenRequest request, IRegistryStore store, TimeProvider time, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(request.Username) || string.IsNullOrEmpty(request.Password))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["username"] = ["username and password are required"] });
            }

            var account = await store.FindAccountAsync(request.Username, ct);
            if (account?.PasswordHash is not { } hash || Hasher.VerifyHashedPassword(account, hash, request.Password) == PasswordVerificationResult.Failed)
            {
                return TypedResults.Unauthorized();
            }

            return TypedResults.Ok(await IssueAsync(store, account, "sign-in", time, ct));
        });

        var accounts = app.MapGroup("/api/accounts").RequireAuthorization(Roles.ManageSite);
        accounts.MapPost("/", async Task<Results<Created<AccountView>, ValidationProblem, Conflict<string>>> (NewAccount request, IRegistryStore store, SiteRegistry site, TimeProvider time, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>();
            if (request.Username is not { } username || !UsernamePattern().IsMatch(username))
            {
                errors["username"] = ["3–32 lowercase letters, digits, '.', '_' or '-'"];
            }

            if (request.Role is not { } role || !Roles.All.Contains(role))
            {
                errors["role"] = [$"must be one of {string.Join(", ", Roles.All)}"];
            }
            else if (role == Roles.Leader && (request.Group is not { } g || site.Current.Group(g) is null))
            {
                errors["group"] = ["a group leader needs the id of a group in the registry"];
            }

            if (request.Password is { Length: < 10 })
            {
                errors["password"] = ["at least 10 characters"];
            }

            if (errors.Count > 0)
            {
                return TypedResults.ValidationProblem(errors);
            }

            if (await store.FindAccountAsync(request.Username!, ct) is not null)
            {
                return TypedResults.Conflict($"the account '{request.Username}' exists");
            }

            var pending = new Account(0, request.Username!, request.Role!, request.Role == Roles.Leader ? request.Group : null, null);
            var hash = request.Password is { } password ? Hasher.HashPassword(pending, password) : null;
            var created = await store.CreateAccountAsync(pending.Username, pending.Role, pending.Group, hash, time.GetUtcNow(), ct);
            return TypedResults.Created($"/api/accounts/{created.Username}", new AccountView(created.Username, created.Role, created.Group));
        });
        accounts.MapPost("/{username}/tokens", async Task<Results<Created<TokenIssued>, NotFound>> (string username, NewToken request, IRegistryStore store, TimeProvider time, CancellationToken ct) =>
            await store.FindAccountAsync(username, ct) is { } account
                ? TypedResults.Created($"/api/accounts/{username}/tokens", await IssueAsync(store, account, request.Name ?? "api", time, ct))
                : TypedResults.NotFound());
    }

    private static async Task<TokenIssued> IssueAsync(IRegistryStore store, Account account, string name, TimeProvider time, CancellationToken ct)
    {
        var token = ApiTokens.New();
        await store.AddTokenAsync(account.Id, ApiTokens.Hash(token), name, time.GetUtcNow(), ct);
        return new TokenIssued(token, account.Username, account.Role, account.Group);
    }

    [GeneratedRegex("^[a-z0-9._-]{3,32}$")]
    private static partial Regex UsernamePattern();
}
