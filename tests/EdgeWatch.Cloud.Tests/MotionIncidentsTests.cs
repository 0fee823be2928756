using System.Net;
using EdgeWatch.Cloud.Incidents;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;

namespace EdgeWatch.Cloud.Tests;

/// <summary>Motion in an armed zone: the duty officers with the snapshot's signed link, grouped, rate-limited, escalated.</summary>
[Trait("Category", "Integration")]
public sealed class MotionIncidentsTests : ModemTest
{
    // Monday 2 March 2026, 10:00 in Vietnam: the day shift's two officers are on at level 1.
    private static readonly DateTimeOffset MondayMorning = new(2026, 3, 2, 3, 0, 0, TimeSpan.Zero);

    private static Task<MotionEvent> Motion(CloudRig rig, FakeTimeProvider time, bool armed = true, string gateway = "gw-g1", string camera = "cam-1", string zone = "san") =>
        rig.MotionAsync(time.GetUtcNow(), gateway, camera, zone, armed);

    private static List<string> Phones(IEnumerable<StaffDocument> staff) => [.. staff.Select(s => Notify.PhoneNumber.Normalise(s.Phone)!).Order()];

    private static List<Storage.IncidentRecord> Incidents(CloudRig rig) => [.. rig.Store.RecentIncidentsAsync(MotionIncidents.Kind, 100, default).GetAwaiter().GetResult()];

    private static int FirstMessages(CloudRig rig, Guid incident) =>
        rig.Store.ListNotificationsAsync(incident, 100, default).GetAwaiter().GetResult().Count(r => !r.IdempotencyKey.Contains("-L", StringComparison.Ordinal) && !r.IdempotencyKey.Contains("-R", StringComparison.Ordinal));

    /// <summary>The aggregator with the demo town's roster and a modem, on the fake clock; offline watch out of the way.</summary>
    private Task<CloudRig> StartAsync(FakeTimeProvider time, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?> { ["Notify:Modem:StatusInterval"] = "00:00:01", ["Notify:OfflineAfter"] = "00:30:00" };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return CloudRig.StartAsync(time: time, modems: [Modem], withStaff: true, extra: settings);
    }

    [Fact]
    public async Task ArmedMotionTellsTheOfficersWithASignedSnapshotLinkJoinsForFiveMinutesAndIsRateLimited()
    {
        var time = new FakeTimeProvider(MondayMorning);
        await using var rig = await StartAsync(time, ("Notify:PublicUrl", "https://canhbao.example/"), ("Notify:MotionPerHour", "2"));
        var officers = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Document.Staff
            .Where(s => s.Role == "officer" && s.Shifts[0] is { Level: 1, From: "07:00" }).Select(s => Notify.PhoneNumber.Normalise(s.Phone)!).Order().ToList();

        await Motion(rig, time, armed: false);
        Assert.Empty(Incidents(rig));

        var first = await Motion(rig, time);
        var incident = Assert.Single(Incidents(rig));
        Assert.NotNull(incident.NextStepAt); // unacknowledged, it escalates like a fire
        await Eventually.WaitAsync(() => Modem.Messages.Count(m => m.Text.StartsWith("CHUYỂN ĐỘNG", StringComparison.Ordinal)) == 2, TimeSpan.FromSeconds(20), "an SMS to each officer on shift");
        var sms = Modem.Messages.Where(m => m.Text.StartsWith("CHUYỂN ĐỘNG", StringComparison.Ordinal)).ToList();
        Assert.Equal(officers, sms.Select(m => m.Destination).Order());
        var cameraName = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Camera("gw-g1", "cam-1")!.Name;
        Assert.All(sms, m => Assert.StartsWith($"CHUYỂN ĐỘNG: {cameraName}, vùng san (Tổ PCCC số 1) lúc 10:00 02/03. Ảnh: https://canhbao.example/snapshots/{first.EventId:N}?s=", m.Text, StringComparison.Ordinal));

        // The link serves the masked snapshot once it arrives; a forged one is refused.
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9];
        await rig.Store.InsertSnapshotAsync(first.EventId, "gw-g1", 1, jpeg, time.GetUtcNow(), default);
        var link = new Uri(sms[0].Text[(sms[0].Text.IndexOf("https://", StringComparison.Ordinal) + "https://canhbao.example".Length)..], UriKind.Relative);
        using var http = rig.Http();
        Assert.Equal(jpeg, await http.GetByteArrayAsync(link));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(new Uri($"/snapshots/{first.EventId:N}?s=forged", UriKind.Relative))).StatusCode);

        // More motion within 5 minutes joins and tells nobody.
        time.Advance(TimeSpan.FromMinutes(2));
        await Motion(rig, time);
        Assert.Single(Incidents(rig));
        Assert.Equal(2, FirstMessages(rig, incident.Id));

        // After 5 quiet minutes: a new incident, told; the third within the hour is past the limit of 2.
        time.Advance(TimeSpan.FromMinutes(6));
        await Motion(rig, time);
        time.Advance(TimeSpan.FromMinutes(6));
        await Motion(rig, time);
        var all = Incidents(rig);
        Assert.Equal(3, all.Count);
        Assert.Equal(2, FirstMessages(rig, all[1].Id));
        Assert.Equal(0, FirstMessages(rig, all[0].Id));
        Assert.Contains("rate limit", (await rig.Store.IncidentLogAsync(all[0].Id, default))[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MotionInARegisteredZoneTellsItsOwnOfficerOnShiftByTheRegistrysNamesThenTheNextLevel()
    {
        var time = new FakeTimeProvider(MondayMorning);
        await using var rig = await StartAsync(time, ("Notify:PublicUrl", "https://canhbao.example/"));
        var registry = rig.App.Services.GetRequiredService<SiteRegistry>().Current;
        var staff = registry.Document.Staff;
        var camera = registry.Camera("gw-g1", "cam-1")!;
        var zone = camera.Zones.Single(z => z.Id == "yard");
        var dayOfficers = staff.Where(s => s.Role == "officer" && s.Shifts[0] is { Level: 1, From: "07:00" }).ToList();
        var zoneOfficerOnShift = dayOfficers.Where(s => zone.Officers.Contains(s.Name)).ToList();
        Assert.Single(zoneOfficerOnShift); // the registry names one day and one night officer for the lane
        Assert.Equal(2, dayOfficers.Count);

        await Motion(rig, time, zone: "yard");

        await Eventually.WaitAsync(() => Modem.Messages.Any(m => m.Text.StartsWith("CHUYỂN ĐỘNG", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "the zone's officer's SMS");
        var incident = Assert.Single(Incidents(rig));
        Assert.Equal(1, FirstMessages(rig, incident.Id));
        var sms = Assert.Single(Modem.Messages, m => m.Text.StartsWith("CHUYỂN ĐỘNG", StringComparison.Ordinal));
        Assert.Equal(Phones(zoneOfficerOnShift), [sms.Destination]);
        Assert.StartsWith($"CHUYỂN ĐỘNG: {camera.Name}, vùng {zone.Name} (Tổ PCCC số 1) lúc 10:00 02/03", sms.Text, StringComparison.Ordinal);

        // Unacknowledged: level 2 (the zone names nobody there, so the roster's level 2) after 90 s.
        var escalator = rig.App.Services.GetRequiredService<IncidentEscalator>();
        time.Advance(TimeSpan.FromSeconds(91));
        await escalator.StepAsync(default); // or its own loop, woken by the clock, took the step first
        var levelTwo = staff.Where(s => s.Role == "officer" && s.Shifts[0].Level == 2).ToList();
        List<Storage.OutboxMessage> Escalated() => [.. rig.Store.ListNotificationsAsync(incident.Id, 100, default).GetAwaiter().GetResult().Where(r => r.IdempotencyKey.Contains("-L2", StringComparison.Ordinal))];
        await Eventually.WaitAsync(() => Escalated().Count > 0, TimeSpan.FromSeconds(10), "the level-2 notification");
        var escalated = Escalated();
        Assert.Equal(Phones(levelTwo), [.. escalated.Select(r => r.Destination).Distinct().Order()]);
    }

    [Fact]
    public async Task MotionOnATownCameraWhoseZoneNamesNoOfficerTellsEveryOfficerOnShift()
    {
        var time = new FakeTimeProvider(MondayMorning);
        await using var rig = await StartAsync(time);
        var registry = rig.App.Services.GetRequiredService<SiteRegistry>().Current;
        var market = registry.Camera(DemoTown.TownGateway, "cam-cho")!;
        Assert.Empty(market.Zones[0].Officers);
        var dayOfficers = registry.Document.Staff.Where(s => s.Role == "officer" && s.Shifts[0] is { Level: 1, From: "07:00" }).ToList();

        await Motion(rig, time, gateway: DemoTown.TownGateway, camera: "cam-cho", zone: "yard");

        await Eventually.WaitAsync(() => Modem.Messages.Count(m => m.Text.StartsWith("CHUYỂN ĐỘNG", StringComparison.Ordinal)) == 2, TimeSpan.FromSeconds(20), "an SMS to each officer on shift");
        var sms = Modem.Messages.Where(m => m.Text.StartsWith("CHUYỂN ĐỘNG", StringComparison.Ordinal)).ToList();
        Assert.Equal(Phones(dayOfficers), [.. sms.Select(m => m.Destination).Order()]);
        Assert.All(sms, m => Assert.StartsWith($"CHUYỂN ĐỘNG: {market.Name}, vùng {market.Zones[0].Name} lúc 10:00 02/03", m.Text, StringComparison.Ordinal));
    }
}
