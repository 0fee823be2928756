using System.Globalization;
using System.Security.Claims;
using EdgeWatch.Cloud.Auth;
using EdgeWatch.Cloud.Site;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EdgeWatch.Cloud.Api;

public sealed record GroupSummary(string Id, string? Name, string Gateway, string? Leader, int Households, int Members);
public sealed record ImportResult(string Site, int Groups, int Households, int Members, int Staff, int Cameras);

/// <summary>
/// The site registry over HTTP (<c>/api/registry</c>). Officers and technicians read every group, a group leader only
/// their own (403 for any other); an admin or the group's leader changes a group; an admin imports and exports the
/// whole registry as YAML, CSV or JSON. A change is validated as a whole, and a bad one answers 400 naming each field
/// (and, for an import, its line) with nothing applied.
/// </summary>
public static class RegistryApi
{
    public static void MapRegistryApi(this WebApplication app)
    {
        var registry = app.MapGroup("/api/registry").RequireAuthorization(Roles.ReadRegistry);
        registry.MapGet("/groups", (ClaimsPrincipal user, SiteRegistry site) =>
            TypedResults.Ok(site.Current.Document.Groups.Where(g => MaySee(user, g.Id)).Select(Summary).ToList()));
        registry.MapGet("/groups/{id}", Results<Ok<GroupDocument>, NotFound, ForbidHttpResult> (string id, ClaimsPrincipal user, SiteRegistry site) =>
            !MaySee(user, id) ? TypedResults.Forbid() : site.Current.Group(id) is { } g ? TypedResults.Ok(g) : TypedResults.NotFound());
        registry.MapPut("/groups/{id}", async Task<Results<Ok<GroupSummary>, ValidationProblem, NotFound, ForbidHttpResult>> (string id, GroupDocument group, ClaimsPrincipal user, SiteRegistry site, CancellationToken ct) =>
        {
            if (!user.IsInRole(Roles.Admin) && !(user.IsInRole(Roles.Leader) && MaySee(user, id)))
            {
                return TypedResults.Forbid();
            }

            if (site.Current.Group(id) is null)
            {
                return TypedResults.NotFound();
            }

            if (group.Id.Length > 0 && group.Id != id)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["id"] = [$"'{group.Id}' is not the group in the address ('{id}')"] });
            }

            group.Id = id;
            try
            {
                var next = await site.UpdateAsync(doc => doc.Groups[doc.Groups.FindIndex(g => g.Id == id)] = group, ct);
                return TypedResults.Ok(Summary(next.Group(id)!));
            }
            catch (RegistryInvalidException ex)
            {
                // The group's fields, as the client sent them: "households[2].members[0].phone".
                var index = site.Current.Document.Groups.FindIndex(g => g.Id == id);
                return Problem(ex.Errors.Select(e => e with { Field = e.Field.Replace($"groups[{index}].", "", StringComparison.Ordinal) }));
            }
        });
        registry.MapGet("/export", (string? format, SiteRegistry site) => format switch
        {
            "csv" => Results.Text(RegistryCsv.Write(site.Current.Document), "text/csv; charset=utf-8"),
            "json" => Results.Json(site.Current.Document, CloudJsonContext.Default.SiteDocument),
            null or "yaml" => Results.Text(RegistryYaml.Write(site.Current.Document), "application/yaml; charset=utf-8"),
            _ => Results.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["must be yaml, csv or json"] }),
        }).RequireAuthorization(Roles.ManageSite);
        registry.MapPost("/import", async Task<Results<Ok<ImportResult>, ValidationProblem>> (HttpRequest request, SiteRegistry site, CancellationToken ct) =>
        {
            using var reader = new StreamReader(request.Body);
            var text = await reader.ReadToEndAsync(ct);
            var type = request.ContentType ?? "";
            var (doc, errors) = type.StartsWith("text/csv", StringComparison.Ordinal) ? RegistryCsv.Read(text, site.Current.Document)
                : type.StartsWith("application/json", StringComparison.Ordinal) ? Json(text)
                : RegistryYaml.Read(text);
            if (doc is null)
            {
                return Problem(errors);
            }

            try
            {
                var next = await site.ReplaceAsync(doc, ct);
                var groups = next.Document.Groups;
                return TypedResults.Ok(new ImportResult(next.Document.Site, groups.Count, groups.Sum(g => g.Households.Count), groups.Sum(g => g.Households.Sum(h => h.Members.Count)), next.Document.Staff.Count, next.Document.Cameras.Count));
            }
            catch (RegistryInvalidException ex)
            {
                return Problem(ex.Errors);
            }
        }).RequireAuthorization(Roles.ManageSite);
    }

    private static (SiteDocument?, IReadOnlyList<RegistryError>) Json(string text)
    {
        try
        {
            return (System.Text.Json.JsonSerializer.Deserialize(text, CloudJsonContext.Default.SiteDocument), []);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return (null, [new RegistryError(ex.Path ?? "json", ex.Message, (int?)(ex.LineNumber + 1))]);
        }
    }

    internal static bool MaySee(ClaimsPrincipal user, string group) =>
        !user.IsInRole(Roles.Leader) || user.FindFirstValue(Roles.GroupClaim) == group;

    private static GroupSummary Summary(GroupDocument g) =>
        new(g.Id, g.Name, g.Gateway, g.Leader, g.Households.Count, g.Households.Sum(h => h.Members.Count));

    /// <summary>400 with every error: the key is the field, or <c>line N.column</c> for an import.</summary>
    internal static ValidationProblem Problem(IEnumerable<RegistryError> errors) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(e => e.Line is { } l ? $"line {l.ToString(CultureInfo.InvariantCulture)}.{e.Field[(e.Field.LastIndexOf('.') + 1)..]}" : e.Field)
                .ToDictionary(g => g.Key, g => g.Select(e => e.Line is null ? e.Message : $"{e.Field}: {e.Message}").ToArray()),
            title: "The registry was not changed: fix these and send it again");
}
