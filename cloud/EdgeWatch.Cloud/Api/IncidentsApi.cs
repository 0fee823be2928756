using System.Security.Claims;
using EdgeWatch.Cloud.Auth;
using EdgeWatch.Cloud.Incidents;
using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EdgeWatch.Cloud.Api;

/// <summary>An incident with its audit trail, its notifications (numbers masked) and the people no channel reached.</summary>
public sealed record IncidentView(IncidentRecord Incident, IReadOnlyList<IncidentStep> Steps, IReadOnlyList<OutboxMessage> Notifications, IReadOnlyList<UnreachedPerson> Unreached);

public sealed record AckResult(bool Acknowledged, string Status);

/// <summary>
/// Incidents over HTTP: read one (a leader: their own group's), acknowledge it (<c>POST …/ack</c>), and the signed
/// one-click link that messages carry (<c>GET /ack/{incident}/{who}?s=…</c>, no account needed).
/// </summary>
public static class IncidentsApi
{
    public static void MapIncidentsApi(this WebApplication app)
    {
        var incidents = app.MapGroup("/api/incidents").RequireAuthorization(Roles.ReadRegistry);
        incidents.MapGet("/{id:guid}", async Task<Results<Ok<IncidentView>, NotFound, ForbidHttpResult>> (Guid id, ClaimsPrincipal user, IIncidentStore store, INotificationOutbox outbox, CancellationToken ct) =>
        {
            if (await store.GetIncidentAsync(id, ct) is not { } incident)
            {
                return TypedResults.NotFound();
            }

            if (!MaySee(user, incident.Group))
            {
                return TypedResults.Forbid();
            }

            return TypedResults.Ok(new IncidentView(
                incident with { Alert = null },
                await store.IncidentLogAsync(id, ct),
                [.. (await outbox.ListNotificationsAsync(id, 1000, ct)).Select(n => n with { Destination = PhoneNumber.Masked(n.Destination), Payload = "" })],
                [.. (await outbox.UnreachedAsync(id, ct)).Select(u => u with { Phone = PhoneNumber.Masked(u.Phone) })]));
        });
        incidents.MapPost("/{id:guid}/ack", async Task<Results<Ok<AckResult>, NotFound, ForbidHttpResult>> (Guid id, ClaimsPrincipal user, IIncidentStore store, Acknowledgements acks, CancellationToken ct) =>
        {
            if (await store.GetIncidentAsync(id, ct) is not { } incident)
            {
                return TypedResults.NotFound();
            }

            if (!MaySee(user, incident.Group))
            {
                return TypedResults.Forbid();
            }

            var first = await acks.ByUserAsync(id, user.Identity?.Name ?? "?", ct);
            return TypedResults.Ok(new AckResult(first, (await store.GetIncidentAsync(id, ct))!.Status));
        });
        app.MapGet("/snapshots/{id:guid}", async Task<Results<FileContentHttpResult, NotFound, ForbidHttpResult>> (Guid id, string? s, AckLinks links, EventStore store, CancellationToken ct) =>
            s is null || !links.VerifySnapshot(id, s) ? TypedResults.Forbid()
            : await store.GetSnapshotAsync(id, ct) is { } jpeg ? TypedResults.File(jpeg, "image/jpeg") : TypedResults.NotFound());
        app.MapGet("/ack/{id:guid}/{who}", async Task<Results<ContentHttpResult, ForbidHttpResult>> (Guid id, string who, string? s, Acknowledgements acks, CancellationToken ct) =>
            s is not null && await acks.ByLinkAsync(id, who, s, ct) is { } name
                ? TypedResults.Content(
                    $"""<!doctype html><html lang="vi"><meta charset="utf-8"><title>EdgeWatch</title><h1>Đã xác nhận</h1><p>Cảm ơn {System.Net.WebUtility.HtmlEncode(name)}: mọi người biết bạn đã nhận tin báo cháy. / Acknowledged, thank you.</p></html>""",
                    "text/html; charset=utf-8")
                : TypedResults.Forbid());
    }

    private static bool MaySee(ClaimsPrincipal user, string group) =>
        !user.IsInRole(Roles.Leader) || user.FindFirstValue(Roles.GroupClaim) == group;
}
