using System.Security.Claims;
using EdgeWatch.Cloud.Auth;
using EdgeWatch.Cloud.Incidents;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EdgeWatch.Cloud.Api;

/// <summary>A silence to create: a gateway's incident kinds, from <see cref="StartsAt"/> (now when absent) to <see cref="EndsAt"/>.</summary>
public sealed record NewSilence(string? Gateway, IReadOnlyList<string>? Kinds, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? Comment);

/// <summary>
/// Silences over HTTP: list the current ones (anyone signed in), create one or end one early (admins and technicians).
/// A silence covers a gateway's <c>trouble</c> or <c>offline</c> incidents for at most 7 days; <c>fire</c> is refused.
/// </summary>
public static class SilencesApi
{
    public static readonly TimeSpan Longest = TimeSpan.FromDays(7);

    public static void MapSilencesApi(this WebApplication app)
    {
        var silences = app.MapGroup("/api/silences");
        silences.MapGet("/", async (ISilenceStore store, TimeProvider time, CancellationToken ct) => TypedResults.Ok(await store.CurrentSilencesAsync(time.GetUtcNow(), ct)))
            .RequireAuthorization(Roles.ReadRegistry);
        silences.MapPost("/", async Task<Results<Created<Silence>, ValidationProblem>> (NewSilence request, ClaimsPrincipal user, ISilenceStore store, SiteRegistry registry, TimeProvider time, CancellationToken ct) =>
        {
            var now = time.GetUtcNow();
            var errors = Validate(request, registry.Current.Document, now);
            if (errors.Count > 0)
            {
                return TypedResults.ValidationProblem(errors);
            }

            var silence = new Silence(
                Guid.CreateVersion7(now), request.Gateway!, [.. request.Kinds!.Distinct()], request.StartsAt ?? now, request.EndsAt!.Value, user.Identity?.Name ?? "?",
                request.Comment!.Trim(), now, null);
            await store.AddSilenceAsync(silence, ct);
            return TypedResults.Created($"/api/silences/{silence.Id}", silence);
        }).RequireAuthorization(Roles.ConfigureGateways);
        silences.MapDelete("/{id:guid}", async Task<Results<NoContent, NotFound>> (Guid id, ISilenceStore store, TimeProvider time, CancellationToken ct) =>
            await store.ExpireSilenceAsync(id, time.GetUtcNow(), ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .RequireAuthorization(Roles.ConfigureGateways);
    }

    private static Dictionary<string, string[]> Validate(NewSilence r, SiteDocument site, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(r.Gateway) || site.Groups.All(g => g.Gateway != r.Gateway))
        {
            errors["gateway"] = [$"'{r.Gateway}' is not a gateway of this site"];
        }

        if (r.Kinds is not { Count: > 0 } kinds)
        {
            errors["kinds"] = [$"one or more of {string.Join(", ", Silences.Kinds)}"];
        }
        else if (kinds.Contains("fire"))
        {
            errors["kinds"] = ["a fire is never silenced: a drill uses the gateway's siren test mode, and a real alarm during one still goes out"];
        }
        else if (kinds.FirstOrDefault(k => !Silences.Kinds.Contains(k)) is { } unknown)
        {
            errors["kinds"] = [$"'{unknown}' is not one of {string.Join(", ", Silences.Kinds)}"];
        }

        var starts = r.StartsAt ?? now;
        if (r.EndsAt is not { } ends)
        {
            errors["endsAt"] = ["is required"];
        }
        else if (ends <= starts || ends <= now)
        {
            errors["endsAt"] = ["must be after startsAt and in the future"];
        }
        else if (ends - starts > Longest)
        {
            errors["endsAt"] = [$"a silence lasts at most {Longest.TotalDays:0} days"];
        }

        if (string.IsNullOrWhiteSpace(r.Comment))
        {
            errors["comment"] = ["say why (the maintenance, who is on site)"];
        }

        return errors;
    }
}
