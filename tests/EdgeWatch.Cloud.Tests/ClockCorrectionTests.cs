using EdgeWatch.Cloud.Ingest;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Protocol;
using MQTTnet;

namespace EdgeWatch.Cloud.Tests;

public class ClockCorrectionTests
{
    private static readonly DateTimeOffset RealNow = new(2026, 11, 29, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void UnsyncedEventsAreTimedFromTheBootAndSyncedOnesKeepTheirClock()
    {
        var corrector = new ClockCorrector();
        var boot = Guid.CreateVersion7();
        var epoch = DateTimeOffset.UnixEpoch;

        // Booted in 1970: received 100 ms after it was raised at monotonic 5 s.
        var first = corrector.Correct("gw-1", boot, 5_000, epoch.AddSeconds(5), false, RealNow.AddMilliseconds(100));
        Assert.Equal(RealNow.AddMilliseconds(100), first);

        // A backlog event from monotonic 2 s, delivered much later, is placed before it.
        var earlier = corrector.Correct("gw-1", boot, 2_000, epoch.AddSeconds(2), false, RealNow.AddMinutes(10));
        Assert.Equal(RealNow.AddMilliseconds(100).AddSeconds(-3), earlier);

        // Once the clock is synced the gateway's own times are used, and they fix the boot offset exactly.
        var synced = corrector.Correct("gw-1", boot, 7_000, RealNow.AddSeconds(2), true, RealNow.AddSeconds(2.05));
        Assert.Equal(RealNow.AddSeconds(2), synced);
        Assert.Equal(RealNow.AddSeconds(-5), corrector.Correct("gw-1", boot, 0, epoch, false, RealNow.AddHours(1)));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task EventsFromAGatewayBootedIn1970AreStoredInTheRightOrderAndTime()
    {
        // The aggregator's clock reads RealNow; the gateway's starts in 1970.
        var cloudTime = new ShiftedClock(RealNow);
        await using var cloud = await CloudRig.StartAsync(time: cloudTime);
        var gatewayTime = new RtcLessClock(DateTimeOffset.UnixEpoch);
        var factory = new FireEventFactory(new GatewayIdentity("town", "gw-g1", "g1"), gatewayTime, new PlausibleClock());
        var events = new List<FireEvent>();

        gatewayTime.Advance(TimeSpan.FromSeconds(30));
        events.Add(factory.Create(FireEventKind.Trouble, "h1", "h1.heat", "probe-lost"));
        gatewayTime.Advance(TimeSpan.FromSeconds(30));
        events.Add(factory.Create(FireEventKind.Alarm, "h2", "h2.smoke", "smoke"));

        // NTP arrives: the wall clock jumps from 1970 to the aggregator's now.
        gatewayTime.SetWallClock(cloudTime.GetUtcNow());
        gatewayTime.Advance(TimeSpan.FromSeconds(1));
        events.Add(factory.Create(FireEventKind.Restore, "h2", "h2.smoke", "smoke"));

        Assert.False(events[0].ClockSynced);
        Assert.False(events[1].ClockSynced);
        Assert.True(events[2].ClockSynced);

        foreach (var e in events)
        {
            var topic = e.IsFireLane ? Topics.FireEvents("town", "gw-g1") : Topics.TroubleEvents("town", "gw-g1");
            await cloud.Ingest.HandleAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(ProtocolJson.Serialize(e)).Build(), default);
        }

        var stored = (await cloud.Store.ListAsync(10, null, null, default)).OrderBy(s => s.Time).ToList();
        Assert.Equal(events.Select(e => e.Id), stored.Select(s => s.Id));
        // Not 1970: every event is placed within the minute the gateway's events span, around the aggregator's clock.
        var latest = cloudTime.GetUtcNow();
        Assert.All(stored, s => Assert.InRange(s.Time, RealNow - TimeSpan.FromMinutes(2), latest + TimeSpan.FromMinutes(2)));
        Assert.Equal(TimeSpan.FromSeconds(30), stored[1].Time - stored[0].Time);
    }

    /// <summary>A Pi without an RTC: the wall clock can jump (NTP), the monotonic clock never does.</summary>
    private sealed class RtcLessClock(DateTimeOffset wall) : TimeProvider
    {
        private DateTimeOffset _wall = wall;
        private long _ticks;

        public override DateTimeOffset GetUtcNow() => _wall;
        public override long GetTimestamp() => _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public void Advance(TimeSpan by)
        {
            _wall += by;
            _ticks += by.Ticks;
        }

        public void SetWallClock(DateTimeOffset now) => _wall = now;
    }
}
