using EdgeWatch.Cloud.Incidents;
using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Emulators;
using EdgeWatch.Protocol;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;

namespace EdgeWatch.Cloud.Tests;

/// <summary>Troubles as technicians' incidents: grouped per gateway, rate-limited, inhibited by an outage, silenced, resolved when all clear.</summary>
[Trait("Category", "Integration")]
public sealed class TroubleIncidentsTests : ModemTest
{
    // Monday 2 March 2026, 10:00 in Vietnam: both technicians (07:00–22:00) are on shift.
    private static readonly DateTimeOffset MondayMorning = new(2026, 3, 2, 3, 0, 0, TimeSpan.Zero);
    private long _seq = 100;

    private Task Trouble(CloudRig rig, FakeTimeProvider time, string channel, string cause, bool on = true, DateTimeOffset? raisedAt = null)
    {
        var e = EventStoreTests.Alarm(seq: Interlocked.Increment(ref _seq)) with
        {
            Kind = on ? FireEventKind.Trouble : FireEventKind.TroubleCleared, Channel = channel, Cause = cause, WallTime = raisedAt ?? time.GetUtcNow(),
            Detail = on ? "test" : null,
        };
        return rig.Ingest.HandleAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.TroubleEvents("town", "gw-g1")).WithPayload(ProtocolJson.Serialize(e)).Build(), default);
    }

    private static Task Status(CloudRig rig, bool online) => rig.StatusAsync("gw-g1", online);

    private static Task<CloudRig> StartAsync(FakeTimeProvider time, ModemEmulator modem, string offlineAfter = "00:00:45") =>
        CloudRig.StartAsync(time: time, modems: [modem], withStaff: true, extra: new Dictionary<string, string?>
        {
            ["Notify:Modem:StatusInterval"] = "00:00:01",
            ["Notify:OfflineAfter"] = offlineAfter,
        });

    private static List<Storage.IncidentRecord> Troubles(CloudRig rig) =>
        [.. rig.Store.UnresolvedIncidentsAsync(TroubleIncidents.Kind, default).GetAwaiter().GetResult()];

    /// <summary>What the modem sent, every outbox row and the modem's state: for a wait that timed out.</summary>
    private string Explain(CloudRig rig) =>
        string.Join(" | ", Modem.Messages.Select(m => m.Text)) + Environment.NewLine
        + string.Join(Environment.NewLine, rig.Store.ListNotificationsAsync(null, 50, default).GetAwaiter().GetResult()
            .Select(r => $"{r.Id} {r.Channel} {r.Status} attempts {r.Attempts} next {r.NextAttemptAt:HH:mm:ss.f}: {r.LastError}")) + Environment.NewLine
        + string.Join(", ", rig.App.Services.GetRequiredService<Notify.Sms.ModemPool>().Status) + $"; prompt {Modem.AtPrompt}";

    private List<string> Texts(string prefix) => [.. Modem.Messages.Where(m => m.Text.StartsWith(prefix, StringComparison.Ordinal)).Select(m => m.Text)];

    [Fact]
    public async Task TheFirstTroubleTellsTheTechniciansFurtherOnesJoinSilentlyAndClearingThemAllResolvesIt()
    {
        var time = new FakeTimeProvider(MondayMorning);
        await using var rig = await StartAsync(time, Modem, offlineAfter: "00:30:00"); // minutes pass between troubles: not an outage
        var technicians = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Document.Staff.Where(s => s.Role == "technician").Select(s => PhoneNumber.Normalise(s.Phone)!).Order().ToList();

        await Trouble(rig, time, "h3.heat", "probe-lost");
        var incident = Assert.Single(Troubles(rig));
        await Eventually.WaitAsync(() => Ticked(time) && Texts("SỰ CỐ").Count == 2, TimeSpan.FromSeconds(20), "the trouble SMS to both technicians");
        Assert.All(Texts("SỰ CỐ"), t => Assert.Equal("SỰ CỐ mất đầu dò nhiệt: h3.heat (Tổ PCCC số 1) lúc 10:00 02/03", t));
        Assert.Equal(technicians, Modem.Messages.Where(m => m.Text.StartsWith("SỰ CỐ", StringComparison.Ordinal)).Select(m => m.Destination).Order());

        await Eventually.WaitAsync(() => Ticked(time) && rig.Store.ListNotificationsAsync(incident.Id, 100, default).GetAwaiter().GetResult().All(r => r.Status == "delivered"),
            TimeSpan.FromSeconds(10), "the trouble SMS rows delivered");

        // A second trouble of the same gateway joins the incident and sends nothing more.
        time.Advance(TimeSpan.FromMinutes(1));
        await Trouble(rig, time, "siren-1", "siren-no-feedback");
        Assert.Equal(incident.Id, Assert.Single(Troubles(rig)).Id);
        Assert.Equal(2, (await rig.Store.ListNotificationsAsync(incident.Id, 100, default)).Count);

        // One cleared: still open. Both cleared: resolved, and the technicians hear it.
        time.Advance(TimeSpan.FromMinutes(1));
        await Trouble(rig, time, "h3.heat", "probe-lost", on: false);
        Assert.Single(Troubles(rig));
        await Trouble(rig, time, "siren-1", "siren-no-feedback", on: false);
        Assert.Empty(Troubles(rig));
        await Eventually.WaitAsync(() => Ticked(time) && Texts("ĐÃ KHẮC PHỤC").Count == 2, TimeSpan.FromSeconds(60), "the resolved SMS", () => Explain(rig));
        Assert.All(Texts("ĐÃ KHẮC PHỤC"), t => Assert.Equal("ĐÃ KHẮC PHỤC sự cố tại gw-g1 (Tổ PCCC số 1) lúc 10:02 02/03", t));
        Assert.Equal(["opened", "joined", "cleared", "resolved"], (await rig.Store.IncidentLogAsync(incident.Id, default)).Select(s => s.Step));

        // A flapping line: a new trouble within 15 minutes of telling them opens an incident that tells nobody.
        time.Advance(TimeSpan.FromMinutes(3));
        await Trouble(rig, time, "h3.smoke", "loop-open");
        var flapped = Assert.Single(Troubles(rig));
        Assert.Empty(await rig.Store.ListNotificationsAsync(flapped.Id, 100, default));
        Assert.Contains("rate limit", (await rig.Store.IncidentLogAsync(flapped.Id, default)).Single().Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATroubleRaisedWhileTheGatewayWasOfflineIsWrittenOnTheOutageAndTellsNobody()
    {
        var time = new FakeTimeProvider(MondayMorning);
        await using var rig = await StartAsync(time, Modem, offlineAfter: "00:30:00");
        var watch = rig.App.Services.GetRequiredService<GatewayWatch>();
        await Status(rig, online: true);
        time.Advance(TimeSpan.FromSeconds(10));
        await Status(rig, online: false); // its Will
        await watch.StepAsync(default);
        var outages = await rig.Store.UnresolvedIncidentsAsync(GatewayWatch.Kind, default);
        Assert.True(outages.Count == 1, $"offline: [{string.Join(", ", watch.Offline)}]; troubles: {Troubles(rig).Count}");
        var outage = outages[0];

        // Back, with the backlog: an uplink trouble it raised 20 s into the outage.
        time.Advance(TimeSpan.FromMinutes(2));
        await Status(rig, online: true);
        await Trouble(rig, time, "uplink", "uplink-refused", raisedAt: MondayMorning.AddSeconds(20));
        await watch.StepAsync(default);
        Assert.Empty(Troubles(rig));
        Assert.Contains(await rig.Store.IncidentLogAsync(outage.Id, default), s => s.Step == "inhibited" && s.Actor == "uplink/uplink-refused");

        // A trouble raised well after it is back (past the backlog's minute) is its own incident again.
        time.Advance(TimeSpan.FromMinutes(5));
        await Trouble(rig, time, "h3.heat", "probe-lost");
        Assert.Single(Troubles(rig));
    }

    [Fact]
    public async Task ASilencedGatewaysTroubleIsWrittenDownButTellsNobodyUntilTheSilenceEndsAndAFireIsNeverSilenced()
    {
        var time = new FakeTimeProvider(MondayMorning);
        await using var rig = await StartAsync(time, Modem, offlineAfter: "00:30:00");
        using var admin = rig.Http(CloudRig.AdminToken);
        var created = await admin.PostAsJsonAsync(new Uri("/api/silences", UriKind.Relative),
            new { gateway = "gw-g1", kinds = new[] { "trouble", "offline" }, endsAt = MondayMorning.AddHours(1), comment = "thay đầu dò nhiệt hộ 3" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Single((await admin.GetFromJsonAsync<JsonArray>(new Uri("/api/silences", UriKind.Relative)))!);

        await Trouble(rig, time, "h3.heat", "probe-lost");
        var silenced = Assert.Single(Troubles(rig));
        Assert.Empty(await rig.Store.ListNotificationsAsync(silenced.Id, 100, default));
        Assert.Contains("silenced by admin", (await rig.Store.IncidentLogAsync(silenced.Id, default)).Single().Detail, StringComparison.Ordinal);

        // A fire in the silenced gateway's group still reaches every member at once.
        var alarm = EventStoreTests.Alarm(seq: Interlocked.Increment(ref _seq)) with { WallTime = time.GetUtcNow() };
        await rig.Ingest.HandleAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.FireEvents("town", "gw-g1")).WithPayload(ProtocolJson.Serialize(alarm)).Build(), default);
        var members = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Group("g1")!.Households.Sum(h => h.Members.Count);
        Assert.Equal(members, (await rig.Store.ListNotificationsAsync(alarm.Id, 1000, default))
            .Count(r => r.Priority == PersonAlerts.FirePriority && r.Channel != "webhook" && PersonAlert.Parse(r.Payload).Role == "member"));

        // After the silence, the next trouble tells the technicians again.
        await Trouble(rig, time, "h3.heat", "probe-lost", on: false);
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromMinutes(25)); // two hours, with the gateway heard from meanwhile (not an outage)
            await Status(rig, online: true);
        }

        await Trouble(rig, time, "h3.heat", "probe-lost");
        var told = Assert.Single(Troubles(rig));
        Assert.NotEqual(silenced.Id, told.Id);
        Assert.Equal(2, (await rig.Store.ListNotificationsAsync(told.Id, 100, default)).Count);
    }

    [Fact]
    public async Task ASilenceForAFireIsRefusedEachBadFieldIsNamedAndOnlyAdminsAndTechniciansSilence()
    {
        var time = new FakeTimeProvider(MondayMorning);
        await using var rig = await StartAsync(time, Modem);
        using var admin = rig.Http(CloudRig.AdminToken);
        var bad = await admin.PostAsJsonAsync(new Uri("/api/silences", UriKind.Relative), new { gateway = "gw-x", kinds = new[] { "fire" }, endsAt = MondayMorning.AddHours(-1), comment = " " });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["comment", "endsAt", "gateway", "kinds"], errors.Select(e => e.Key).Order());
        Assert.Contains("never silenced", (string)errors["kinds"]![0]!, StringComparison.Ordinal);
        var tooLong = await admin.PostAsJsonAsync(new Uri("/api/silences", UriKind.Relative), new { gateway = "gw-g1", kinds = new[] { "offline" }, endsAt = MondayMorning.AddDays(8), comment = "x" });
        Assert.Contains("at most 7 days", await tooLong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var anonymous = rig.Http();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/api/silences", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync(new Uri("/api/accounts", UriKind.Relative), new { username = "truc-ban", password = "mật-khẩu-dài-đủ", role = "officer" })).StatusCode);
        var login = await anonymous.PostAsJsonAsync(new Uri("/api/auth/token", UriKind.Relative), new { username = "truc-ban", password = "mật-khẩu-dài-đủ" });
        using var officer = rig.Http((string)(await login.Content.ReadFromJsonAsync<JsonObject>())!["token"]!);
        var good = new { gateway = "gw-g1", kinds = new[] { "offline" }, endsAt = MondayMorning.AddHours(2), comment = "mất điện khu phố" };
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostAsJsonAsync(new Uri("/api/silences", UriKind.Relative), good)).StatusCode);

        // Ended early by an admin: it no longer covers anything.
        var created = await admin.PostAsJsonAsync(new Uri("/api/silences", UriKind.Relative), good);
        var id = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"/api/silences/{id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync(new Uri($"/api/silences/{id}", UriKind.Relative))).StatusCode);
        Assert.Empty((await officer.GetFromJsonAsync<JsonArray>(new Uri("/api/silences", UriKind.Relative)))!);
    }
}
