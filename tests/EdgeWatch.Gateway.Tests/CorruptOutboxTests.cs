using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Hardware.Simulation;
using EdgeWatch.Protocol;
using EdgeWatch.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.Tests;

[Trait("Category", "Integration")]
public class CorruptOutboxTests
{
    private static IHost Gateway(string state)
    {
        var settings = GatewayHost.SimulatedSettings("town", "gw-1", "g1", 1883, state);
        settings["Mqtt:Enabled"] = "false";
        return GatewayHost.Create([], settings, b => b.SetMinimumLevel(LogLevel.None));
    }

    [Fact]
    public async Task CorruptOutboxAtStartIsMovedAsideAndTheSirensStillSoundWithAStorageTrouble()
    {
        var state = Eventually.TempDirectory("edgewatch-corrupt");

        // A first run issues some sequence numbers, then the disk garbles the outbox.
        long lastSeq;
        using (var first = Gateway(state))
        {
            await first.StartAsync();
            var engine = first.Services.GetRequiredService<FireSafetyEngine>();
            first.Services.GetRequiredService<SimulatedBoard>().Trip("h2.call-point.inside");
            await Eventually.WaitAsync(() => engine.State == GroupState.Alarm, TimeSpan.FromSeconds(5), "the first run's alarm");
            lastSeq = first.Services.GetRequiredService<EventStamper>().LastSeq;
            await first.StopAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var db = Path.Combine(state, "outbox.db");
        File.Delete(db + "-wal");
        File.Delete(db + "-shm");
        await File.WriteAllBytesAsync(db, [.. System.Text.Encoding.ASCII.GetBytes("this is not a database"), .. new byte[8192]]);

        using var host = Gateway(state);
        await host.StartAsync();
        var board = host.Services.GetRequiredService<SimulatedBoard>();
        var restarted = host.Services.GetRequiredService<FireSafetyEngine>();
        var health = host.Services.GetRequiredService<OutboxHealth>();
        Assert.NotNull(health.Problem);
        Assert.False(health.InMemory);
        Assert.Single(Directory.GetFiles(state, "outbox.db.broken-*"));

        var events = new List<FireEvent>();
        restarted.Raised += e => { lock (events) { events.Add(e); } };
        board.Trip("h5.call-point.inside");
        // (The first run's alarm was never reset, so it resumed at start; the new call point joins it.)
        await Eventually.WaitAsync(() => { lock (events) { return events.Any(e => e.Kind == FireEventKind.Alarm); } }, TimeSpan.FromSeconds(5), "the alarm with a fresh outbox");
        Assert.Equal(GroupState.Alarm, restarted.State);
        // Temporal-three: every siren is on together during each on-step of the cadence.
        var sirens = board.Profile.Channels.Where(c => c.Kind == Hardware.Profiles.ChannelKind.Siren).Select(c => c.Id).ToList();
        await Eventually.WaitAsync(() => sirens.All(board.IsOn), TimeSpan.FromSeconds(5), "every siren of the group on at once");
        Assert.Contains("storage@storage", restarted.Troubles);

        // The fresh outbox doesn't restart the numbering: the aggregator must not take the new alarm for a replay.
        FireEvent alarm;
        lock (events)
        {
            alarm = Assert.Single(events, e => e.Kind == FireEventKind.Alarm);
            Assert.Equal("h5.call-point.inside", alarm.Channel);
        }

        Assert.True(alarm.Seq > lastSeq, $"alarm seq {alarm.Seq} is not after the lost outbox's {lastSeq}");
        await host.StopAsync();
    }
}
