using EdgeWatch.Cloud.Broker;
using EdgeWatch.Cloud.Ingest;
using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using EdgeWatch.Protocol;

namespace EdgeWatch.Cloud.Api;

/// <summary>The aggregator's HTTP API and a minimal live page.</summary>
public static class EventsApi
{
    public static void MapEdgeWatchApi(this WebApplication app)
    {
        app.MapGet("/api/events", async (EventStore store, int? limit, string? kind, string? group, CancellationToken ct) =>
        {
            var n = Math.Clamp(limit ?? 100, 1, 1000);
            return Results.Ok(await store.ListAsync(n, kind, group, ct));
        });
        app.MapGet("/api/rejected", async (EventStore store, int? limit, CancellationToken ct) =>
            Results.Ok(await store.ListRejectedAsync(Math.Clamp(limit ?? 100, 1, 1000), ct)));
        app.MapGet("/api/health", (EmbeddedBroker broker, MqttIngest ingest, WebhookNotifier notifier, Notify.Sms.ModemPool modems, Incidents.GatewayWatch watch) => Results.Text(
            $$"""{"broker":"{{(broker.IsEmbedded ? "embedded" : "external")}}","brokerPort":{{broker.Port}},"ingestConnected":{{(ingest.Connected ? "true" : "false")}},"received":{{ingest.Received}},"duplicates":{{ingest.Duplicates}},"rejected":{{ingest.Rejected}},"notified":{{notifier.Delivered}},"modems":{{System.Text.Json.JsonSerializer.Serialize(modems.Status, CloudJsonContext.Default.IReadOnlyListModemStatus)}},"offlineGateways":{{System.Text.Json.JsonSerializer.Serialize(watch.Offline, CloudJsonContext.Default.IReadOnlyCollectionString)}}}""",
            "application/json"));
        app.MapGet("/api/motion", async (EventStore store, int? limit, CancellationToken ct) =>
            Results.Text(await store.ListMotionJsonAsync(Math.Clamp(limit ?? 100, 1, 1000), ct), "application/json"));
        app.MapGet("/api/gateways", async (EventStore store, CancellationToken ct) => Results.Ok(await store.ListGatewaysAsync(ct)));
        app.MapPut("/api/gateways/{gateway}/config", async (string gateway, DesiredConfig config, SiteRegistry site, MqttIngest ingest, CancellationToken ct) =>
        {
            try
            {
                await ingest.PublishDesiredConfigAsync(site.Current.Document.Site, gateway, config, ct);
                return Results.Accepted($"/api/gateways/{gateway}/config/reported");
            }
            catch (InvalidOperationException ex)
            {
                return Results.Problem(ex.Message, statusCode: 503);
            }
        }).RequireAuthorization(Auth.Roles.ConfigureGateways);
        app.MapGet("/api/gateways/{gateway}/config/reported", async (string gateway, EventStore store, CancellationToken ct) =>
            await store.GetReportedConfigAsync(gateway, ct) is { } json ? Results.Text(json, "application/json") : Results.NotFound());
        app.MapGet("/api/gateways/{gateway}/commissioning", async (string gateway, EventStore store, CancellationToken ct) =>
            Results.Text(await store.ListCommissioningJsonAsync(gateway, ct), "application/json")).RequireAuthorization(Auth.Roles.ConfigureGateways);
        app.MapGet("/", () => Results.Content(Page, "text/html"));
    }

    private const string Page = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>EdgeWatch</title>
        <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.3em .6em;border-bottom:1px solid #ddd}
        tr.alarm{background:#fdd}tr.trouble{background:#ffd}</style></head>
        <body><h1>EdgeWatch events</h1><p id="health"></p>
        <table><thead><tr><th>received</th><th>group</th><th>kind</th><th>household</th><th>channel</th><th>cause</th><th>test</th></tr></thead><tbody id="rows"></tbody></table>
        <script>
        async function refresh(){
          const h = await (await fetch('/api/health')).json();
          document.getElementById('health').textContent = `ingest connected: ${h.ingestConnected}, events: ${h.received}, notified: ${h.notified}`;
          const events = await (await fetch('/api/events?limit=50')).json();
          const rows = document.getElementById('rows'); rows.replaceChildren();
          for (const e of events){ const tr=document.createElement('tr'); tr.className=e.kind;
            for (const v of [e.receivedAt,e.group,e.kind,e.household??'',e.channel??'',e.cause??'',e.test?'test':'']){const td=document.createElement('td');td.textContent=v;tr.append(td);}
            rows.append(tr);}
        }
        refresh(); setInterval(refresh, 1000);
        </script></body></html>
        """;
}
