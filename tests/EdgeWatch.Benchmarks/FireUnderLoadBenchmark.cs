using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using EdgeWatch.Cloud;
using EdgeWatch.Cloud.Broker;
using EdgeWatch.Cloud.Ingest;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Protocol;
using EdgeWatch.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Benchmarks;

/// <summary>
/// Fire events over a saturated LTE-like uplink. One gateway (8 households) runs as its own process, with the systemd
/// unit's environment, and reaches the aggregator's embedded broker through <see cref="ThrottledProxy"/> (1 Mbit/s,
/// 50 ms added delay, at most 32 KiB buffered). Its simulation trips, restores and resets a random call point every
/// 2 s. Measured: from the end of the debounce (the alarm event is stamped right after the sirens are driven) to the
/// broker receiving that event (the broker's intercepting-publish hook), in two phases of the same run: idle (no
/// cameras), then saturated (8 cameras pushing 30 kB snapshots every second, about 2 Mbit/s). Also the gateway
/// process's RSS at the end of the saturated phase (the camera load comes from the gateway's simulation; there is no
/// OpenCV in it).
/// </summary>
internal static class FireUnderLoadBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var cycles = BenchmarkHelpers.Arg(args, "--cycles", 100);
        var dir = Path.Combine(Path.GetTempPath(), $"edgewatch-fire-load-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        DemoTown.Create("town", 1, 8).Save(Path.Combine(dir, "site.json"));

        var hookPort = EmbeddedBroker.FreeLoopbackPort();
        var hookBuilder = WebApplication.CreateSlimBuilder();
        hookBuilder.WebHost.UseUrls($"http://127.0.0.1:{hookPort}");
        hookBuilder.Logging.ClearProviders();
        await using var hook = hookBuilder.Build();
        hook.MapPost("/hook", () => Results.Ok());
        await hook.StartAsync();

        await using var cloud = CloudApp.Build(
            [$"--urls=http://127.0.0.1:{EmbeddedBroker.FreeLoopbackPort()}"],
            new Dictionary<string, string?>
            {
                ["Broker:Port"] = "0",
                ["Storage:ConnectionString"] = $"Data Source={Path.Combine(dir, "cloud.db")}",
                ["Site:File"] = Path.Combine(dir, "site.json"),
                ["Notify:WebhookUrl"] = $"http://127.0.0.1:{hookPort}/hook",
                ["Notify:WebhookSecret"] = "edgewatch-benchmark-key",
            },
            b => b.Logging.SetMinimumLevel(LogLevel.Error));
        await cloud.StartAsync();
        var broker = cloud.Services.GetRequiredService<EmbeddedBroker>();
        await WaitAsync(() => cloud.Services.GetRequiredService<MqttIngest>().Connected, TimeSpan.FromSeconds(30), "the aggregator's subscription");

        // Fire events as the broker receives them: latency from the event's own stamp, first arrival only.
        var latencies = new ConcurrentDictionary<Guid, double>();
        var snapshotBytes = 0L;
        broker.Server!.InterceptingPublishAsync += e =>
        {
            var topic = e.ApplicationMessage.Topic;
            if (topic.EndsWith("/evt/fire", StringComparison.Ordinal))
            {
                var at = DateTimeOffset.UtcNow;
                var fire = ProtocolJson.DeserializeFireEvent(e.ApplicationMessage.Payload.ToArray());
                if (fire.Kind == FireEventKind.Alarm)
                {
                    latencies.TryAdd(fire.Id, (at - fire.WallTime).TotalMilliseconds);
                }
            }
            else if (topic.Contains("/snapshot/", StringComparison.Ordinal))
            {
                Interlocked.Add(ref snapshotBytes, e.ApplicationMessage.Payload.Length);
            }

            return Task.CompletedTask;
        };

        var unit = UnitEnvironment();
        for (var i = Array.IndexOf(args, "--env"); i >= 0 && i + 1 < args.Length; i = Array.IndexOf(args, "--env", i + 1))
        {
            // Try other runtime settings than the unit's, for example --env DOTNET_GCgen0size=0x1000000.
            var kv = args[i + 1].Split('=', 2);
            unit[kv[0]] = kv.Length == 2 ? kv[1] : "";
        }

        var idle = await PhaseAsync("idle", cameras: false, unit);
        var loaded = await PhaseAsync("saturated", cameras: true, unit);

        // The trade-off: the unit's large first GC generation (fewer pauses on the alarm path) against memory. The
        // same saturated phase with the runtime's default GC settings.
        var defaultGc = await PhaseAsync("saturated-default-gc", cameras: true, unit.Where(kv => !kv.Key.StartsWith("DOTNET_GC", StringComparison.Ordinal)).ToDictionary());

        var result = new
        {
            bench = "fire-under-load",
            fire_p50_ms = Percentiles.Round(Percentiles.Of(loaded.Latencies, 50)),
            fire_p99_ms = Percentiles.Round(Percentiles.Of(loaded.Latencies, 99)),
            fire_max_ms = Percentiles.Round(loaded.Latencies.Max()),
            fire_p50_idle_ms = Percentiles.Round(Percentiles.Of(idle.Latencies, 50)),
            fire_p99_idle_ms = Percentiles.Round(Percentiles.Of(idle.Latencies, 99)),
            fire_max_idle_ms = Percentiles.Round(idle.Latencies.Max()),
            alarms = loaded.Latencies.Count,
            alarms_idle = idle.Latencies.Count,
            snapshot_kbit_s = Math.Round(loaded.SnapshotBytes * 8 / 1000.0 / loaded.Seconds, 1),
            gateway_rss_mb = Math.Round(loaded.RssBytes / (1024.0 * 1024), 1),
            gateway_rss_idle_mb = Math.Round(idle.RssBytes / (1024.0 * 1024), 1),
            gateway_gc = string.Join(' ', unit.Select(kv => $"{kv.Key}={kv.Value}")),
            fire_p99_default_gc_ms = Percentiles.Round(Percentiles.Of(defaultGc.Latencies, 99)),
            gateway_rss_default_gc_mb = Math.Round(defaultGc.RssBytes / (1024.0 * 1024), 1),
            link = "1 Mbit/s, +50 ms, 32 KiB buffered",
        };
        var met = result.fire_p99_ms <= 300 && result.fire_p99_ms <= result.fire_p99_idle_ms + 50 && result.gateway_rss_mb <= 80;
        Console.Error.WriteLine($"fire-under-load: targets (p99 <= 300 ms, <= idle p99 + 50 ms, RSS <= 80 MB) {(met ? "met" : "NOT met")}");
        Console.WriteLine(JsonSerializer.Serialize(result));
        await cloud.StopAsync();
        return met ? 0 : 1;

        async Task<(List<double> Latencies, long RssBytes, long SnapshotBytes, double Seconds)> PhaseAsync(string name, bool cameras, Dictionary<string, string> environment)
        {
            latencies.Clear();
            var bytesBefore = Interlocked.Read(ref snapshotBytes);
            var started = System.Diagnostics.Stopwatch.StartNew();
            await using var proxy = new ThrottledProxy(broker.Port, 1_000_000, TimeSpan.FromMilliseconds(50), 32 * 1024);
            var settings = GatewayHost.SimulatedSettings("town", "gw-g1", "g1", proxy.Port, Path.Combine(dir, $"gw-{name}"));
            settings["Simulation:AlarmInterval"] = "00:00:02";
            settings["Mqtt:ReconnectMinDelay"] = "00:00:00.200";
            settings["Logging:LogLevel:Default"] = "Warning";
            if (cameras)
            {
                settings["Simulation:SnapshotInterval"] = "00:00:01";
                settings["Simulation:SnapshotCameras"] = "8";
                settings["Simulation:SnapshotBytes"] = "30000";
            }

            const int warmUp = 3;
            Console.Error.WriteLine($"fire-under-load: {name}: {cycles} alarm cycles, 2 s apart{(cameras ? ", 8 cameras pushing snapshots" : "")}");
            using var gateway = GatewayProcess.Start(settings, environment);
            await WaitAsync(() => latencies.Count >= warmUp + cycles, TimeSpan.FromSeconds((cycles + warmUp) * 2.5 + 60), $"{cycles} alarms in the {name} phase", () => gateway.Output);
            var rss = gateway.ResidentBytes();
            gateway.Kill();
            // Event ids are UUIDv7, ordered by when the gateway raised them: the first ones (JIT, connection set-up)
            // are the warm-up and not measured.
            return (FirstArrivalsDropped(warmUp), rss, Interlocked.Read(ref snapshotBytes) - bytesBefore, started.Elapsed.TotalSeconds);

            List<double> FirstArrivalsDropped(int n) => [.. latencies.OrderBy(kv => kv.Key).Skip(n).Select(kv => kv.Value)];
        }
    }

    /// <summary>The environment the systemd unit gives the gateway (gateway/edgewatch-gateway.service).</summary>
    private static Dictionary<string, string> UnitEnvironment()
    {
        var env = new Dictionary<string, string>();
        foreach (var line in File.ReadLines(Path.Combine(Repo.Root, "gateway", "edgewatch-gateway.service")))
        {
            if (line.StartsWith("Environment=DOTNET_", StringComparison.Ordinal))
            {
                var kv = line["Environment=".Length..].Split('=', 2);
                env[kv[0]] = kv[1];
            }
        }

        return env;
    }

    private static Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null) =>
        BenchmarkHelpers.WaitAsync("fire-under-load", condition, timeout, what, diagnostics);
}
