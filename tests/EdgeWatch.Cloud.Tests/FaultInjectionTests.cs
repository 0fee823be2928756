using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Hardware.Simulation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Cloud.Tests;

/// <summary>
/// Each fault during an active alarm, on a real gateway host (simulated board rpi4-mcp23017: sirens h1–h4 on expander
/// mcp-a, h5–h8 on mcp-b) talking to a real aggregator. Three things are checked every time: the sirens on healthy
/// controllers sound, the alarm reaches the aggregator, and a trouble there names the fault.
/// </summary>
[Trait("Category", "Integration")]
public partial class FaultInjectionTests
{
    private static readonly string[] OnMcpA = ["h1.siren", "h2.siren", "h3.siren", "h4.siren"];
    private static readonly string[] OnMcpB = ["h5.siren", "h6.siren", "h7.siren", "h8.siren"];
    private static readonly string[] AllSirens = [.. OnMcpA, .. OnMcpB];

    private sealed class Site : IAsyncDisposable
    {
        private Site(CloudRig cloud, IHost gateway)
        {
            Cloud = cloud;
            Gateway = gateway;
        }

        public CloudRig Cloud { get; }
        public IHost Gateway { get; }
        public SimulatedBoard Board => Gateway.Services.GetRequiredService<SimulatedBoard>();
        public FireSafetyEngine Engine => Gateway.Services.GetRequiredService<FireSafetyEngine>();

        /// <param name="stateDirectory">The gateway's state directory (a fresh temporary one when null).</param>
        /// <param name="beforeStart">Runs on the state directory before the gateway starts (to break what it finds).</param>
        /// <param name="configure">Changes the gateway's settings (cameras, for instance).</param>
        public static async Task<Site> StartAsync(string? stateDirectory = null, Action<string>? beforeStart = null, Action<Dictionary<string, string?>>? configure = null)
        {
            var cloud = await CloudRig.StartAsync();
            var state = stateDirectory ?? Eventually.TempDirectory("edgewatch-fault");
            beforeStart?.Invoke(state);
            var settings = GatewayHost.SimulatedSettings("town", "gw-g1", "g1", cloud.BrokerPort, state);
            settings["Mqtt:ReconnectMinDelay"] = "00:00:00.100";
            settings["Mqtt:ReconnectMaxDelay"] = "00:00:01";
            settings["Uplink:HeartbeatInterval"] = "00:00:01";
            configure?.Invoke(settings);
            var gateway = GatewayHost.Create([], settings, b => b.SetMinimumLevel(LogLevel.Critical));
            await gateway.StartAsync();
            return new Site(cloud, gateway);
        }

        public async Task<IReadOnlyList<Storage.StoredEvent>> StoredAsync(string kind) => await Cloud.Store.ListAsync(100, kind, "g1", default);

        /// <summary>The three checks.</summary>
        public async Task AlarmIsHandledAsync(IEnumerable<string> healthySirens, string troubleCause, string troubleChannel)
        {
            var sirens = healthySirens.ToList();
            await Eventually.WaitAsync(() => Engine.State == GroupState.Alarm, TimeSpan.FromSeconds(5), "the group in alarm");
            await Eventually.WaitAsync(() => sirens.All(Board.IsOn), TimeSpan.FromSeconds(5), $"the sirens on healthy controllers ({string.Join(", ", sirens)}) to sound");
            await Eventually.WaitAsync(() => StoredAsync("alarm").Result.Count > 0, TimeSpan.FromSeconds(15), "the alarm at the aggregator");
            await Eventually.WaitAsync(
                () => StoredAsync("trouble").Result.Any(t => t.Cause == troubleCause && t.Channel == troubleChannel),
                TimeSpan.FromSeconds(15),
                $"a {troubleCause} trouble on {troubleChannel} at the aggregator");
        }

        public async ValueTask DisposeAsync()
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await Gateway.StopAsync(stop.Token);
            Gateway.Dispose();
            await Cloud.DisposeAsync();
        }
    }

    [Fact]
    public async Task TransientI2cWriteFailureDuringAnAlarm()
    {
        await using var site = await Site.StartAsync();
        site.Board.Trip("h6.call-point.inside");
        await Eventually.WaitAsync(() => site.Engine.State == GroupState.Alarm, TimeSpan.FromSeconds(5), "the alarm");

        // mcp-a stops acknowledging for a moment (a burst of NAKs), then answers again.
        var mcpA = site.Board.Expander("mcp-a");
        mcpA.FailAllWrites = true;
        await site.AlarmIsHandledAsync(OnMcpB, "output-write-failed", "h1.siren");
        mcpA.FailAllWrites = false;
        await Eventually.WaitAsync(() => AllSirens.All(site.Board.IsOn), TimeSpan.FromSeconds(5), "the sirens on mcp-a to sound again");
        await Eventually.WaitAsync(
            () => site.StoredAsync("trouble-cleared").Result.Any(t => t.Cause == "output-write-failed" && t.Channel == "h1.siren"),
            TimeSpan.FromSeconds(15), "the write trouble cleared once the expander answered");
    }

    [Fact]
    public async Task PermanentI2cWriteFailureDuringAnAlarm()
    {
        await using var site = await Site.StartAsync();
        site.Board.Trip("h6.call-point.inside");
        await Eventually.WaitAsync(() => site.Engine.State == GroupState.Alarm, TimeSpan.FromSeconds(5), "the alarm");

        site.Board.Expander("mcp-a").FailAllWrites = true;
        site.Board.Trip("h2.call-point.inside");
        await site.AlarmIsHandledAsync(OnMcpB, "output-write-failed", "h3.siren");
        Assert.All(OnMcpA, s => Assert.True(site.Board.Expander("mcp-a").FailedWrites > 0, s));
    }

    [Fact]
    public async Task OutboxOnAFullFilesystemDuringAnAlarm()
    {
        using var disk = new TinyTmpfs();
        await using var site = await Site.StartAsync(Path.Combine(disk.Path, "state"));
        var heartbeat = site.Gateway.Services.GetRequiredService<HeartbeatService>();
        site.Board.Trip("h6.call-point.inside");
        await Eventually.WaitAsync(() => site.Engine.State == GroupState.Alarm, TimeSpan.FromSeconds(5), "the alarm");

        Assert.True(disk.Fill() > 0);
        Assert.True(SpinWait.SpinUntil(() => !heartbeat.Beat(), TimeSpan.FromSeconds(10)), "the full disk never refused a write");
        site.Board.Trip("h2.call-point.inside");
        await site.AlarmIsHandledAsync(AllSirens, "storage", FireSafetyService.OutboxWriteChannel);
        await Eventually.WaitAsync(() => site.StoredAsync("alarm").Result.Any(a => a.Channel == "h2.call-point.inside"), TimeSpan.FromSeconds(15),
            "the alarm raised on the full disk at the aggregator");

        disk.Free();
        await Eventually.WaitAsync(() => heartbeat.Beat(), TimeSpan.FromSeconds(5), "a write after space was freed");
        await Eventually.WaitAsync(
            () => site.StoredAsync("trouble-cleared").Result.Any(t => t.Cause == "storage" && t.Channel == FireSafetyService.OutboxWriteChannel),
            TimeSpan.FromSeconds(15), "the storage trouble cleared once the disk had room");
    }

    [Fact]
    public async Task OutboxOnAReadOnlyFilesystem()
    {
        using var disk = new TinyTmpfs(readOnly: true);
        await using var site = await Site.StartAsync(disk.Path);
        Assert.True(site.Gateway.Services.GetRequiredService<OutboxHealth>().InMemory);
        site.Board.Trip("h6.call-point.inside");
        await site.AlarmIsHandledAsync(AllSirens, "storage", FireSafetyService.OutboxOpenChannel);
    }

    [Fact]
    public async Task CorruptOutboxAtStart()
    {
        await using var site = await Site.StartAsync(beforeStart: dir => File.WriteAllText(Path.Combine(dir, "outbox.db"), "this is not an SQLite database, it is garbage from a failing SD card"));
        site.Board.Trip("h6.call-point.inside");
        await site.AlarmIsHandledAsync(AllSirens, "storage", FireSafetyService.OutboxOpenChannel);
        Assert.Single(Directory.GetFiles(site.Gateway.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<UplinkOptions>>().Value.ResolvedStateDirectory("gw-g1"), "outbox.db.broken-*"));
    }

    [Fact]
    public async Task CorruptPersistedConfigurationAtStart()
    {
        await using var site = await Site.StartAsync(beforeStart: dir => File.WriteAllText(Path.Combine(dir, "desired-config.json"), "{\"version\": 3, \"fireSafety\": {"));
        site.Board.Trip("h6.call-point.inside");
        await site.AlarmIsHandledAsync(AllSirens, "config", FireSafetyService.ConfigChannel);
    }

    [Fact]
    public async Task UnreadablePersistedConfigurationAtStart()
    {
        // A directory where the file should be: reading it fails with an I/O error, even as root.
        await using var site = await Site.StartAsync(beforeStart: dir => Directory.CreateDirectory(Path.Combine(dir, "desired-config.json")));
        site.Board.Trip("h6.call-point.inside");
        await site.AlarmIsHandledAsync(AllSirens, "config", FireSafetyService.ConfigChannel);
    }

    [Fact]
    public async Task ThrowingHeartbeat()
    {
        await using var site = await Site.StartAsync();
        var heartbeat = site.Gateway.Services.GetRequiredService<HeartbeatService>();
        var lifetime = site.Gateway.Services.GetRequiredService<IHostApplicationLifetime>();
        heartbeat.BeforeBeat = () => throw new InvalidOperationException("injected heartbeat failure");

        // The service is restarted (and throws again) instead of stopping the host.
        await Eventually.WaitAsync(() => heartbeat.Restarts >= 1, TimeSpan.FromSeconds(10), "the heartbeat to fail and be restarted");
        site.Board.Trip("h6.call-point.inside");
        await Eventually.WaitAsync(() => site.Engine.State == GroupState.Alarm, TimeSpan.FromSeconds(5), "the alarm");
        await Eventually.WaitAsync(() => AllSirens.All(site.Board.IsOn), TimeSpan.FromSeconds(5), "every siren");
        await Eventually.WaitAsync(() => site.StoredAsync("alarm").Result.Count > 0, TimeSpan.FromSeconds(15), "the alarm at the aggregator");
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "a throwing heartbeat stopped the host");
    }

    [Fact]
    public async Task GatewayKilledWithALatchedAlarmResumesItAsTheSameAlarm()
    {
        await using var cloud = await CloudRig.StartAsync();
        var arrived = new System.Collections.Concurrent.ConcurrentQueue<Protocol.FireEvent>();
        cloud.Ingest.Stored += arrived.Enqueue;
        var state = Eventually.TempDirectory("edgewatch-latch");
        var settings = GatewayHost.SimulatedSettings("town", "gw-g1", "g1", cloud.BrokerPort, state);
        settings["Mqtt:ReconnectMinDelay"] = "00:00:00.100";
        settings["Logging:LogLevel:Default"] = "Warning";

        Protocol.FireEvent first;
        using (var gateway = GatewayProcess.Start(new Dictionary<string, string?>(settings) { ["Simulation:LatchOnce"] = "h6.call-point.inside" }))
        {
            // The call point was pressed and released: the alarm is latched, and reached the aggregator.
            await Eventually.WaitAsync(() => arrived.Any(e => e.Kind == Protocol.FireEventKind.Alarm), TimeSpan.FromSeconds(30), "the first alarm");
            first = arrived.First(e => e.Kind == Protocol.FireEventKind.Alarm);
            await Eventually.WaitAsync(() => File.Exists(Path.Combine(state, "alarm-latch.json")), TimeSpan.FromSeconds(5), "the latch file");
            gateway.Kill(); // SIGKILL: a power cut of the process
        }

        Assert.Equal(first.Id, first.AlarmId);
        using var restarted = GatewayProcess.Start(settings);
        await Eventually.WaitAsync(() => arrived.Any(e => e.Cause == "resumed"), TimeSpan.FromSeconds(30), $"the resumed alarm; gateway output: {restarted.Output}");
        var resumed = arrived.First(e => e.Cause == "resumed");

        // Sirens first, then the event: the event's time since the gateway started bounds when the sirens resumed.
        Assert.True(resumed.MonotonicMs < 3000, $"the sirens resumed {resumed.MonotonicMs} ms after start");
        Assert.Equal(first.AlarmId, resumed.AlarmId);
        Assert.NotEqual(first.Id, resumed.Id);
        Assert.Equal(("h6", "h6.call-point.inside"), (resumed.Household, resumed.Channel));

        // One alarm at the aggregator: both stored, people notified once.
        var alarms = await cloud.Store.ListAsync(100, "alarm", "g1", default);
        Assert.Equal(2, alarms.Count);
        Assert.Single(alarms.Select(a => a.AlarmId).Distinct());
        Assert.Equal(1, cloud.Notifier.Queued);
        await Eventually.WaitAsync(() => cloud.Webhook.Received.Count == 1, TimeSpan.FromSeconds(10), "the one notification");
        Assert.Equal(first.Id, Assert.Single(cloud.Webhook.Received).EventId);
        restarted.Kill();
    }

    [Fact]
    public async Task BrokerRefusingOneFireEntryWhileLaterFireEventsAreAccepted()
    {
        // The site was renamed during commissioning: the outbox still holds a fire entry for the old site's topic,
        // which the broker's ACL (this site only) refuses with reason 135.
        var acl = Path.Combine(Eventually.TempDirectory("edgewatch-acl"), "acl");
        File.WriteAllLines(acl,
        [
            "topic readwrite edgewatch/v1/town/+/status",
            "topic readwrite edgewatch/v1/town/+/heartbeat",
            "topic readwrite edgewatch/v1/town/+/evt/#",
            "topic readwrite edgewatch/v1/town/+/cmd/#",
            "topic readwrite edgewatch/v1/town/+/config/#",
            "topic readwrite edgewatch/v1/town/+/ack",
            "topic read edgewatch/v1/#",
        ]);
        using var mosquitto = new MosquittoBroker(acl);
        await mosquitto.StartAsync();
        await using var cloud = await CloudRig.StartAsync(externalBrokerPort: mosquitto.Port);
        var state = Eventually.TempDirectory("edgewatch-fault");
        using (var old = new Outbox(Path.Combine(state, "outbox.db"), 1 << 20, TimeProvider.System))
        {
            old.Enqueue(Protocol.Lane.Fire, "fire", "edgewatch/v1/oldtown/gw-g1/evt/fire", "{}"u8.ToArray(), 1);
        }

        var settings = GatewayHost.SimulatedSettings("town", "gw-g1", "g1", mosquitto.Port, state);
        settings["Uplink:RejectedRetryDelay"] = "00:00:00.300";
        using var gateway = GatewayHost.Create([], settings, b => b.SetMinimumLevel(LogLevel.Critical));
        await gateway.StartAsync();
        var uplink = gateway.Services.GetRequiredService<MqttUplink>();
        var board = gateway.Services.GetRequiredService<SimulatedBoard>();
        await Eventually.WaitAsync(() => uplink.Rejected > 0, TimeSpan.FromSeconds(15), "the broker to refuse the old fire entry");

        // Every new fire event goes past it, one after another.
        board.Trip("h6.call-point.inside");
        await Eventually.WaitAsync(() => cloud.Store.ListAsync(10, "alarm", "g1", default).Result.Count == 1, TimeSpan.FromSeconds(15), "the first alarm");
        board.Trip("h2.call-point.inside");
        await Eventually.WaitAsync(() => cloud.Store.ListAsync(10, "alarm", "g1", default).Result.Count == 2, TimeSpan.FromSeconds(15), "the second alarm");
        await Eventually.WaitAsync(() => AllSirens.All(board.IsOn), TimeSpan.FromSeconds(5), "every siren on during an on-step");

        // The refused entry is still kept (not a delivery), retried on its own schedule, and shown.
        var rejected = uplink.Rejected;
        await Eventually.WaitAsync(() => uplink.Rejected > rejected, TimeSpan.FromSeconds(10), "the refused entry to be retried");
        Assert.Contains("135", uplink.LastError);
        Assert.Contains("oldtown", uplink.LastError);
        Assert.True(gateway.Services.GetRequiredService<Outbox>().Backlog[0] >= 1);

        // And it is a trouble at the aggregator: a fire entry is not getting through.
        await Eventually.WaitAsync(
            () => cloud.Store.ListAsync(100, "trouble", "g1", default).Result.Any(t => t.Cause == "uplink-refused" && t.Channel == FireSafetyService.UplinkChannel),
            TimeSpan.FromSeconds(15), "an uplink-refused trouble at the aggregator");
        await gateway.StopAsync();
    }
}
