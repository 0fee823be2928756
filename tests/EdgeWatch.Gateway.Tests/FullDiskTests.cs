using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Hardware.Simulation;
using EdgeWatch.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.Tests;

/// <summary>The gateway's state directory on a real 2 MiB tmpfs that the test fills up while the gateway runs.</summary>
[Trait("Category", "Integration")]
public class FullDiskTests
{
    [Fact]
    public async Task FullDiskLosesHeartbeatsAndMotionButNeverStopsTheHostOrTheSirens()
    {
        using var disk = new TinyTmpfs();
        var settings = GatewayHost.SimulatedSettings("town", "gw-1", "g1", 1883, Path.Combine(disk.Path, "state"));
        settings["Mqtt:Enabled"] = "false";
        using var host = GatewayHost.Create([], settings, b => b.SetMinimumLevel(LogLevel.Critical));
        await host.StartAsync();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var heartbeat = host.Services.GetRequiredService<HeartbeatService>();
        var motion = host.Services.GetRequiredService<MotionPublisher>();
        var writer = host.Services.GetRequiredService<LowerLaneWriter>();
        Assert.True(heartbeat.Beat(), "a heartbeat must be stored while the disk has room");

        Assert.True(disk.Fill() > 0);

        // Space the database already holds may take a few more; once it is used up, every write is refused.
        var refused = Enumerable.Range(0, 200).Count(_ => !heartbeat.Beat());
        Assert.True(refused > 0, "the full disk never refused a heartbeat");
        var ex = Record.Exception(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                motion.Publish("cam-1", "start", null, ["yard"], [[0, 0, 10, 10]], 0.1, armed: true);
            }
        });
        Assert.Null(ex);
        Assert.True(writer.Failures >= refused, $"{writer.Failures} failures counted for {refused} refused heartbeats");
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "a full disk stopped the host");

        // The fire side doesn't care: a call point still sounds every siren.
        var board = host.Services.GetRequiredService<SimulatedBoard>();
        var engine = host.Services.GetRequiredService<FireSafetyEngine>();
        board.Trip("h3.call-point.inside");
        await Eventually.WaitAsync(() => engine.State == GroupState.Alarm, TimeSpan.FromSeconds(5), "the alarm on a full disk");
        // Temporal-three: every siren is on together during each on-step of the cadence.
        var sirens = board.Profile.Channels.Where(c => c.Kind == Hardware.Profiles.ChannelKind.Siren).Select(c => c.Id).ToList();
        await Eventually.WaitAsync(() => sirens.All(board.IsOn), TimeSpan.FromSeconds(5), "every siren of the group on at once");

        // Room again: heartbeats are stored again.
        disk.Free();
        await Eventually.WaitAsync(() => heartbeat.Beat(), TimeSpan.FromSeconds(5), "a heartbeat stored after space was freed");
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await host.StopAsync(stop.Token);
    }

    [Fact]
    public async Task FireOnAFullDiskIsHeldInMemoryRaisedAsStorageTroubleAndWrittenBackWhenSpaceReturns()
    {
        using var disk = new TinyTmpfs();
        var settings = GatewayHost.SimulatedSettings("town", "gw-1", "g1", 1883, Path.Combine(disk.Path, "state"));
        settings["Mqtt:Enabled"] = "false"; // nothing is acknowledged, so nothing on disk is freed
        using var host = GatewayHost.Create([], settings, b => b.SetMinimumLevel(LogLevel.Critical));
        await host.StartAsync();
        var heartbeat = host.Services.GetRequiredService<HeartbeatService>();
        var outbox = host.Services.GetRequiredService<Outbox>();
        var writer = host.Services.GetRequiredService<DurableEventWriter>();
        var faults = host.Services.GetRequiredService<StorageFaults>();
        var engine = host.Services.GetRequiredService<FireSafetyEngine>();
        var board = host.Services.GetRequiredService<SimulatedBoard>();

        Assert.True(disk.Fill() > 0);
        Assert.True(SpinWait.SpinUntil(() => !heartbeat.Beat(), TimeSpan.FromSeconds(10)), "the full disk never refused a heartbeat");
        await Eventually.WaitAsync(() => faults.Current is not null, TimeSpan.FromSeconds(5), "the storage fault");

        // Enough events that the disk must refuse fire writes too.
        foreach (var point in new[] { "h3.call-point.inside", "h5.call-point.inside", "h7.call-point.inside" })
        {
            board.Trip(point);
        }

        await Eventually.WaitAsync(() => engine.State == GroupState.Alarm, TimeSpan.FromSeconds(5), "the alarm on a full disk");
        await Eventually.WaitAsync(() => writer.StorageFault is not null, TimeSpan.FromSeconds(10), "the fire writer to find the disk full");
        // Each call point is its own alarm event; the engine raises them one by one as its loop sees each trip.
        await Eventually.WaitAsync(() => outbox.Backlog[0] >= 3, TimeSpan.FromSeconds(10), "a fire entry waiting to be sent for each of the 3 call points");
        Assert.True(outbox.HeldInMemory > 0, "fire events the disk refused must be held in memory");
        Assert.True(outbox.Backlog[1] >= 1, "the storage trouble itself is queued (in memory) for the uplink");
        var health = await host.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync();
        Assert.Contains("outbox", health.Entries["uplink"].Description, StringComparison.Ordinal);

        disk.Free();
        Assert.True(heartbeat.Beat(), "a heartbeat stored after space was freed");
        Assert.True(writer.Flush(TimeSpan.FromSeconds(10)), $"{writer.Unwritten} events not written back after space was freed");
        await Eventually.WaitAsync(() => faults.Current is null, TimeSpan.FromSeconds(5), "the storage fault to clear");
        await Eventually.WaitAsync(() => outbox.HeldInMemory == 0, TimeSpan.FromSeconds(5), "every held event on disk");
        Assert.True(outbox.Backlog[0] >= 3);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await host.StopAsync(stop.Token);
    }
}
