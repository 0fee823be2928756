using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using EdgeWatch.Emulators;
using EdgeWatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;

namespace EdgeWatch.Cloud.Tests;

/// <summary>Fire incidents: duty officers, escalation at 90 s, reminders, acknowledgement (API, SMS reply, link), all clear.</summary>
[Trait("Category", "Integration")]
public sealed class IncidentLifecycleTests
{
    // Monday 2 March 2026, 10:00 in Vietnam: the day shift (Hải, Thu) is on at level 1, Long at level 2.
    private static readonly DateTimeOffset MondayMorning = new(2026, 3, 2, 3, 0, 0, TimeSpan.Zero);

    private static Task Publish(CloudRig rig, FireEvent e) =>
        rig.Ingest.HandleAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.FireEvents("town", e.Gateway)).WithPayload(ProtocolJson.Serialize(e)).Build(), default);

    private static void OfficersOn(SiteDocument site, params string[] channels) => site.Staff.ForEach(s => s.Channels = [.. channels]);

    private static async Task<List<OutboxMessage>> RowsAsync(CloudRig rig, Guid incident) => [.. await rig.Store.ListNotificationsAsync(incident, 1000, default)];

    private static string Phone(StaffDocument s) => PhoneNumber.Normalise(s.Phone)!;

    [Fact]
    public async Task NobodyAcknowledgingEscalatesAt90SecondsThenRemindsAndAnAcknowledgementStopsIt()
    {
        var time = new FakeTimeProvider(MondayMorning);
        await using var zns = await ZnsEmulator.StartAsync("rt-initial");
        await using var rig = await CloudRig.StartAsync(time: time, zns: zns, site: d => OfficersOn(d, "zns"), withStaff: true);
        var staff = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Document.Staff;
        var level1 = staff.Where(s => s.Shifts[0] is { Level: 1, From: "07:00" } && s.Role == "officer").Select(Phone).ToList();
        var level2 = staff.Where(s => s.Shifts[0].Level == 2).Select(Phone).ToList();
        Assert.Equal(2, level1.Count);
        Assert.Single(level2);

        var alarm = EventStoreTests.Alarm() with { WallTime = MondayMorning };
        await Publish(rig, alarm);
        var rows = await RowsAsync(rig, alarm.Id);

        // At once: the members and the two officers on shift, nobody at level 2.
        Assert.Equal(level1.Order(), rows.Where(r => r.Destination is var d && staff.Any(s => Phone(s) == d)).Select(r => r.Destination).Order());
        var escalator = rig.App.Services.GetRequiredService<Incidents.IncidentEscalator>();

        time.Advance(TimeSpan.FromSeconds(89));
        Assert.Equal(0, await escalator.StepAsync(default));
        Assert.Equal(1, (await rig.Store.GetIncidentAsync(alarm.Id, default))!.Level);

        time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.WaitAsync(() => rig.Store.GetIncidentAsync(alarm.Id, default).GetAwaiter().GetResult()!.Level == 2, TimeSpan.FromSeconds(10), "the escalation to level 2");
        rows = await RowsAsync(rig, alarm.Id);
        Assert.Equal(level2, rows.Where(r => r.IdempotencyKey.EndsWith("-L2", StringComparison.Ordinal)).Select(r => r.Destination));

        // Top level reached: after 5 minutes everyone on duty is reminded.
        time.Advance(TimeSpan.FromMinutes(5));
        await Eventually.WaitAsync(() => rig.Store.GetIncidentAsync(alarm.Id, default).GetAwaiter().GetResult()!.Reminders == 1, TimeSpan.FromSeconds(10), "the first reminder");
        rows = await RowsAsync(rig, alarm.Id);
        Assert.Equal(level1.Concat(level2).Order(), rows.Where(r => r.IdempotencyKey.EndsWith("-R1", StringComparison.Ordinal)).Select(r => r.Destination).Order());

        // An officer acknowledges through the API: no more reminders.
        using var admin = rig.Http(CloudRig.AdminToken);
        var ack = await admin.PostAsync(new Uri($"/api/incidents/{alarm.Id}/ack", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        Assert.True((bool)(await ack.Content.ReadFromJsonAsync<JsonObject>())!["acknowledged"]!);
        time.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0, await escalator.StepAsync(default));
        var incident = (await rig.Store.GetIncidentAsync(alarm.Id, default))!;
        Assert.Equal(("acknowledged", "admin", "api", 1), (incident.Status, incident.AcknowledgedBy, incident.AcknowledgedVia, incident.Reminders));
        Assert.Equal(["opened", "escalated", "reminded", "acknowledged"], (await rig.Store.IncidentLogAsync(alarm.Id, default)).Select(s => s.Step));

        // A second acknowledgement is recorded, and changes nothing.
        var again = await admin.PostAsync(new Uri($"/api/incidents/{alarm.Id}/ack", UriKind.Relative), null);
        Assert.False((bool)(await again.Content.ReadFromJsonAsync<JsonObject>())!["acknowledged"]!);
    }

    [Fact]
    public async Task TheGatewaysResetResolvesTheIncidentAndEveryoneReachedGetsTheAllClear()
    {
        await using var zns = await ZnsEmulator.StartAsync("rt-initial");
        await using var rig = await CloudRig.StartAsync(zns: zns, extra: new Dictionary<string, string?> { ["Notify:Zns:AllClearTemplateId"] = "301999" }, withStaff: true);
        zns.Templates.Add("301999");
        var alarm = EventStoreTests.Alarm() with { WallTime = DateTimeOffset.UtcNow };
        await Publish(rig, alarm);
        var reached = 0;
        await Eventually.WaitAsync(() => (reached = zns.Accepted.Count(m => m.TemplateId == ZnsEmulator.FireTemplate)) > 0 && rig.Store.ListNotificationsAsync(alarm.Id, 1000, default).GetAwaiter().GetResult().All(r => r.Status != "pending"), TimeSpan.FromSeconds(20), "the fire messages");

        await Publish(rig, EventStoreTests.Alarm(seq: 9) with { Kind = FireEventKind.Reset, Household = null, Channel = null, Cause = null, WallTime = DateTimeOffset.UtcNow });
        await Eventually.WaitAsync(() => zns.Accepted.Count(m => m.TemplateId == "301999") == reached, TimeSpan.FromSeconds(20), "the all clear to everyone reached");
        var incident = (await rig.Store.GetIncidentAsync(alarm.Id, default))!;
        Assert.Equal("resolved", incident.Status);
        Assert.Null(incident.NextStepAt);
        Assert.Contains("resolved", (await rig.Store.IncidentLogAsync(alarm.Id, default)).Select(s => s.Step));
    }

    [Fact]
    public async Task AnOfficerAcknowledgesByReplyingOkToTheSmsAndAnotherByTheSignedLink()
    {
        var dir = Eventually.TempDirectory("edgewatch-ack-modem");
        await using var modem = await ModemEmulator.StartAsync(dir);
        modem.SendDelay = TimeSpan.FromMilliseconds(200);
        await using var rig = await CloudRig.StartAsync(modems: [modem], site: d =>
        {
            OfficersOn(d, "sms");
            d.Groups.RemoveRange(1, d.Groups.Count - 1);
            d.Groups[0].Households.RemoveRange(1, d.Groups[0].Households.Count - 1);
            d.Groups[0].Households[0].Members.ForEach(m => m.Channels = ["sms"]);
        }, extra: new Dictionary<string, string?> { ["Notify:PublicUrl"] = "http://127.0.0.1:1/" }, withStaff: true);
        var site = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Document;
        var onDuty = Roster.OnDuty(site, "officer", 1, DateTimeOffset.UtcNow);
        Assert.Equal(2, onDuty.Count);
        var officer = Phone(onDuty[0]);

        var first = EventStoreTests.Alarm() with { Household = "h1", WallTime = DateTimeOffset.UtcNow };
        await Publish(rig, first);
        await Eventually.WaitAsync(() => modem.Messages.Any(m => m.Destination == officer && m.Text.Contains("/ack/", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "the officer's details SMS with its link");

        // A reply that says something else acknowledges nothing; "OK" does.
        modem.Reply(officer, "ai đấy?");
        modem.Reply(officer, "OK");
        await Eventually.WaitAsync(() => rig.Store.GetIncidentAsync(first.Id, default).GetAwaiter().GetResult()!.Status == "acknowledged", TimeSpan.FromSeconds(10), "the SMS acknowledgement");
        var incident = (await rig.Store.GetIncidentAsync(first.Id, default))!;
        Assert.Equal((onDuty[0].Name, "sms"), (incident.AcknowledgedBy, incident.AcknowledgedVia));

        // The second officer's link, from their SMS, for a second group alarm: tampered, it is refused.
        await Publish(rig, EventStoreTests.Alarm(seq: 2) with { Household = "h1", WallTime = DateTimeOffset.UtcNow });
        var second = (await rig.Store.ListNotificationsAsync(null, 1000, default)).First(n => n.IncidentId != first.Id).IncidentId;
        var other = Phone(onDuty[1]);
        string? link = null;
        await Eventually.WaitAsync(
            () => (link = modem.Messages.Where(m => m.Destination == other).Select(m => Regex.Match(m.Text, @"http://\S+/ack/" + second.ToString("N") + @"/\S+").Value).FirstOrDefault(l => l.Length > 0)) is not null,
            TimeSpan.FromSeconds(30), "the second incident's link");
        var path = new Uri(link!.TrimEnd('.')).PathAndQuery;
        using var http = rig.Http();
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(new Uri(path[..^2] + "xx", UriKind.Relative))).StatusCode);
        var page = await http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Đã xác nhận", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        incident = (await rig.Store.GetIncidentAsync(second, default))!;
        Assert.Equal((onDuty[1].Name, "link"), (incident.AcknowledgedBy, incident.AcknowledgedVia));
        Directory.Delete(dir, true);
    }
}
