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
    private long _seq = 500;

    private async Task<MotionEvent> Motion(CloudRig rig, FakeTimeProvider time, bool armed = true)
    {
        var id = Guid.CreateVersion7();
        var m = new MotionEvent
        {
            Id = id, Seq = Interlocked.Increment(ref _seq), Site = "town", Gateway = "gw-g1", Boot = Guid.Empty, EventId = id, Camera = "cam-1",
            Phase = "start", Zones = ["san"], Armed = armed, PeakArea = 0.05, WallTime = time.GetUtcNow(), MonotonicMs = 1000, ClockSynced = true,
        };
        await rig.Ingest.HandleAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.MotionEvents("town", "gw-g1")).WithPayload(ProtocolJson.Serialize(m)).Build(), default);
        return m;
    }

    private static List<Storage.IncidentRecord> Incidents(CloudRig rig) => [.. rig.Store.RecentIncidentsAsync(MotionIncidents.Kind, 100, default).GetAwaiter().GetResult()];

    private static int FirstMessages(CloudRig rig, Guid incident) =>
        rig.Store.ListNotificationsAsync(incident, 100, default).GetAwaiter().GetResult().Count(r => !r.IdempotencyKey.Contains("-L", StringComparison.Ordinal) && !r.IdempotencyKey.Contains("-R", StringComparison.Ordinal));

    [Fact]
    public async Task ArmedMotionTellsTheOfficersWithASignedSnapshotLinkJoinsForFiveMinutesAndIsRateLimited()
    {
        var time = new FakeTimeProvider(MondayMorning);
        await using var rig = await CloudRig.StartAsync(time: time, modems: [Modem], withStaff: true, extra: new Dictionary<string, string?>
        {
            ["Notify:Modem:StatusInterval"] = "00:00:01",
            ["Notify:OfflineAfter"] = "00:30:00",
            ["Notify:PublicUrl"] = "https://canhbao.example/",
            ["Notify:MotionPerHour"] = "2",
        });
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
        Assert.All(sms, m => Assert.StartsWith($"CHUYỂN ĐỘNG: cam-1, vùng san (Tổ PCCC số 1) lúc 10:00 02/03. Ảnh: https://canhbao.example/snapshots/{first.EventId:N}?s=", m.Text, StringComparison.Ordinal));

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
}
