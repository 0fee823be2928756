using EdgeWatch.Cloud.Retention;
using EdgeWatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;

namespace EdgeWatch.Cloud.Tests;

/// <summary>Retention: each kind of record goes after its days, on the aggregator's clock; nothing an open incident needs.</summary>
[Trait("Category", "Integration")]
public sealed class RetentionTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SnapshotsEventsAndResolvedIncidentsGoAfterTheirDaysAndAnEventAnIncidentNeedsStays()
    {
        var time = new FakeTimeProvider(Start);
        await using var rig = await CloudRig.StartAsync(time: time, extra: new Dictionary<string, string?>
        {
            ["Notify:OfflineAfter"] = "00:30:00",
            // Short, so the fake clock moves days rather than years (it fires every periodic timer once per period).
            ["Retention:SnapshotsDays"] = "1",
            ["Retention:EventsDays"] = "3",
            ["Retention:AuditDays"] = "5",
        });
        var retention = rig.App.Services.GetRequiredService<RetentionService>();
        var alarm = EventStoreTests.Alarm(seq: 1) with { WallTime = Start };
        var trouble = EventStoreTests.Alarm(seq: 2) with { Kind = FireEventKind.Trouble, Channel = "h2.smoke", Cause = "loop-open", WallTime = Start };
        await rig.Ingest.HandleAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.FireEvents("town", "gw-g1")).WithPayload(ProtocolJson.Serialize(alarm)).Build(), default);
        await rig.Ingest.HandleAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.TroubleEvents("town", "gw-g1")).WithPayload(ProtocolJson.Serialize(trouble)).Build(), default);
        var snapshot = Guid.CreateVersion7();
        await rig.Store.InsertSnapshotAsync(snapshot, "gw-g1", 3, [0xFF, 0xD8, 0xFF, 0xD9], time.GetUtcNow(), default);
        await Eventually.WaitAsync(() => rig.Store.ListNotificationsAsync(alarm.Id, 10, default).GetAwaiter().GetResult().All(n => n.Status == "delivered"), TimeSpan.FromSeconds(10), "the webhook delivered");

        // The hourly pass runs on the aggregator's clock as it moves; a pass run here takes whatever is left.
        time.Advance(TimeSpan.FromHours(23));
        await retention.RunOnceAsync(default);
        Assert.NotNull(await rig.Store.GetSnapshotAsync(snapshot, default));
        time.Advance(TimeSpan.FromHours(2));
        await retention.RunOnceAsync(default);
        Assert.Null(await rig.Store.GetSnapshotAsync(snapshot, default));
        Assert.Equal(new[] { alarm.Id, trouble.Id }.Order(), (await rig.Store.ListAsync(100, null, null, default)).Select(e => e.Id).Order());

        // Past the events' days: the trouble event goes; the alarm stays while its incident does.
        time.Advance(TimeSpan.FromDays(2.1));
        await retention.RunOnceAsync(default);
        Assert.Equal([alarm.Id], (await rig.Store.ListAsync(100, null, null, default)).Select(e => e.Id));

        // Resolved, and past the audit's days after that: the incident, its audit and notifications, then its event.
        await rig.Store.ResolveGroupAsync("g1", "test", time.GetUtcNow(), (_, _) => [], default);
        time.Advance(TimeSpan.FromDays(4.9));
        await retention.RunOnceAsync(default);
        Assert.NotNull(await rig.Store.GetIncidentAsync(alarm.Id, default));
        time.Advance(TimeSpan.FromDays(0.2));
        await retention.RunOnceAsync(default);
        Assert.Null(await rig.Store.GetIncidentAsync(alarm.Id, default));
        Assert.Empty(await rig.Store.IncidentLogAsync(alarm.Id, default));
        Assert.Empty(await rig.Store.ListNotificationsAsync(alarm.Id, 10, default));
        Assert.Empty(await rig.Store.ListAsync(100, null, null, default));
    }
}
