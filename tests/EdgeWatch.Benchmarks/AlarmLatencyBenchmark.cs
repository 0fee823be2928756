using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeWatch.Cloud;
using EdgeWatch.Cloud.Broker;
using EdgeWatch.Cloud.Ingest;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Hardware.Simulation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Benchmarks;

/// <summary>
/// 56 simulated gateways (8 households each) against one aggregator with its embedded broker. Random contact
/// detectors are tripped across the gateways; for each alarm we measure
/// siren: from the end of the debounce (trip + debounce) to the last siren of the group switching on, and
/// e2e: from the same moment to the webhook receiving the POST.
/// Baselines measured in the same run: how late a bare timer with the same due time fires (the scheduling floor
/// under the same load) and an MQTT publish-to-receive round trip through the same broker.
/// </summary>
internal static class AlarmLatencyBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var gateways = BenchmarkHelpers.Arg(args, "--gateways", 56);
        var alarmsWanted = BenchmarkHelpers.Arg(args, "--alarms", 448);
        var seed = BenchmarkHelpers.Arg(args, "--seed", 8201);
        var random = new Random(seed);
        var debounce = TimeSpan.FromMilliseconds(200);
        var dir = Path.Combine(Path.GetTempPath(), $"edgewatch-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        DemoTown.Create("town", gateways, 8).Save(Path.Combine(dir, "site.json"));

        // The webhook receiver stamps each POST with the Stopwatch clock shared by this process.
        var webhookTimes = new ConcurrentDictionary<string, long>();
        var webhookWaiters = new ConcurrentDictionary<string, TaskCompletionSource>();
        var webhookPort = EmbeddedBroker.FreeLoopbackPort();
        var receiverBuilder = WebApplication.CreateSlimBuilder();
        receiverBuilder.WebHost.UseUrls($"http://127.0.0.1:{webhookPort}");
        receiverBuilder.Logging.ClearProviders();
        await using var receiver = receiverBuilder.Build();
        receiver.MapPost("/hook", async (HttpRequest request) =>
        {
            var at = Stopwatch.GetTimestamp();
            using var doc = await JsonDocument.ParseAsync(request.Body);
            var key = $"{doc.RootElement.GetProperty("gateway").GetString()}/{doc.RootElement.GetProperty("channel").GetString()}";
            webhookTimes.TryAdd(key, at);
            if (webhookWaiters.TryGetValue(key, out var waiter))
            {
                waiter.TrySetResult();
            }

            return Results.Ok();
        });
        await receiver.StartAsync();

        await using var cloud = CloudApp.Build(
            [$"--urls=http://127.0.0.1:{EmbeddedBroker.FreeLoopbackPort()}"],
            new Dictionary<string, string?>
            {
                ["Broker:Port"] = "0",
                ["Storage:ConnectionString"] = $"Data Source={Path.Combine(dir, "bench.db")}",
                ["Site:File"] = Path.Combine(dir, "site.json"),
                ["Notify:WebhookUrl"] = $"http://127.0.0.1:{webhookPort}/hook",
                ["Notify:WebhookSecret"] = "edgewatch-benchmark-key",
            },
            b => b.Logging.SetMinimumLevel(LogLevel.Error));
        await cloud.StartAsync();
        var brokerPort = cloud.Services.GetRequiredService<EmbeddedBroker>().Port;
        await WaitAsync(() => cloud.Services.GetRequiredService<MqttIngest>().Connected, "aggregator subscription");

        Console.Error.WriteLine($"alarm-latency: starting {gateways} gateways against mqtt://127.0.0.1:{brokerPort}");
        var hosts = new List<IHost>();
        for (var g = 1; g <= gateways; g++)
        {
            var settings = GatewayHost.SimulatedSettings("town", $"gw-g{g}", $"g{g}", brokerPort, Path.Combine(dir, $"gw-g{g}"));
            settings["FireSafety:Debounce"] = debounce.ToString();
            var host = GatewayHost.Create([], settings, b => b.ClearProviders());
            await host.StartAsync();
            hosts.Add(host);
        }

        await WaitAsync(() => hosts.All(h => h.Services.GetRequiredService<MqttUplink>().Connected), "all uplinks");

        // Warm-up (JIT, connection pools): one alarm on one gateway, not measured.
        {
            var board = hosts[0].Services.GetRequiredService<SimulatedBoard>();
            var engine = hosts[0].Services.GetRequiredService<FireSafetyEngine>();
            board.Trip("h1.call-point.inside");
            await WaitAsync(() => webhookTimes.ContainsKey("gw-g1/h1.call-point.inside"), "the warm-up alarm");
            board.Restore("h1.call-point.inside");
            await WaitAsync(() => engine.ActiveAlarms.Count == 0, "the warm-up restore");
            engine.Reset("warm-up");
        }

        var warm = Stopwatch.StartNew();
        var gcPauseBefore = GC.GetTotalPauseDuration();
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

        // Contact detectors only: call points and smoke relay contacts (supervised ADC loops add up to one scan interval).
        var detectorPool = BoardProfiles.Load("rpi4-mcp23017").Channels
            .Where(c => c.Kind is ChannelKind.CallPoint || (c.Kind is ChannelKind.Smoke && c.Source is ExpanderSource))
            .Select(c => c.Id).ToArray();
        var perGateway = (int)Math.Ceiling(alarmsWanted / (double)gateways);
        var siren = new ConcurrentBag<double>();
        var e2e = new ConcurrentBag<double>();
        var timerLate = new ConcurrentBag<double>();
        var failures = new ConcurrentBag<string>();

        var plans = hosts.Select((h, i) => (Host: h, Gateway: $"gw-g{i + 1}", Detectors: Enumerable.Range(0, perGateway).Select(_ => detectorPool[random.Next(detectorPool.Length)]).ToArray(), Offset: random.Next(0, 2000))).ToList();
        Console.Error.WriteLine($"alarm-latency: tripping {plans.Sum(p => p.Detectors.Length)} detectors");
        await Task.WhenAll(plans.Select(async plan =>
        {
            await Task.Delay(plan.Offset);
            var board = plan.Host.Services.GetRequiredService<SimulatedBoard>();
            var engine = plan.Host.Services.GetRequiredService<FireSafetyEngine>();
            var sirens = board.Profile.Channels.Where(c => c.Kind == ChannelKind.Siren).Select(c => c.Id).ToArray();
            var seen = new ConcurrentDictionary<string, long>();
            var allSounding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            board.OutputSwitched += (ch, on, at) =>
            {
                if (on && ch.Kind == ChannelKind.Siren && seen.TryAdd(ch.Id, at) && seen.Count == sirens.Length)
                {
                    allSounding.TrySetResult();
                }
            };

            foreach (var detector in plan.Detectors)
            {
                seen.Clear();
                allSounding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var key = $"{plan.Gateway}/{detector}";
                webhookTimes.TryRemove(key, out _);
                var notified = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                webhookWaiters[key] = notified;
                var tripAt = Stopwatch.GetTimestamp();
                board.Trip(detector);
                var settledAt = tripAt + (long)(debounce.TotalSeconds * Stopwatch.Frequency);

                // Baseline: a bare timer with the same due time, started at the same moment, under the same load.
                var timerFired = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                using (TimeProvider.System.CreateTimer(_ => timerFired.TrySetResult(Stopwatch.GetTimestamp()), null, debounce, Timeout.InfiniteTimeSpan))
                {
                    timerLate.Add(Percentiles.Ms(await timerFired.Task - settledAt));
                }

                var both = Task.WhenAll(allSounding.Task, notified.Task);
                if (await Task.WhenAny(both, Task.Delay(TimeSpan.FromSeconds(10))) != both)
                {
                    failures.Add($"{key}: sirens {seen.Count}/{sirens.Length}, webhook {webhookTimes.ContainsKey(key)}");
                }
                else
                {
                    siren.Add(Percentiles.Ms(seen.Values.Max() - settledAt));
                    e2e.Add(Percentiles.Ms(webhookTimes[key] - settledAt));
                }

                board.Restore(detector);
                await WaitQuietlyAsync(() => !engine.ActiveAlarms.Contains(detector), TimeSpan.FromSeconds(5));
                var reset = engine.Reset("benchmark");
                if (!reset.Accepted)
                {
                    failures.Add($"{key}: reset refused: {reset.Message}");
                }

                await Task.Delay(random.Next(50, 400));
            }
        }));

        var gcPause = GC.GetTotalPauseDuration() - gcPauseBefore;
        var gcCounts = $"{GC.CollectionCount(0) - gcBefore.Item1}/{GC.CollectionCount(1) - gcBefore.Item2}/{GC.CollectionCount(2) - gcBefore.Item3}";

        // Baseline: MQTT publish-to-receive through the same broker, no gateway logic.
        var mqttFloor = await MqttFloor.MeasureAsync(brokerPort, 100);

        foreach (var h in hosts)
        {
            await h.StopAsync();
            h.Dispose();
        }

        await cloud.StopAsync();
        foreach (var f in failures.Take(10))
        {
            Console.Error.WriteLine($"alarm-latency: FAILED {f}");
        }

        var s = siren.ToList();
        var e = e2e.ToList();
        var result = new
        {
            bench = "alarm-latency",
            gateways,
            alarms = s.Count,
            siren_p50_ms = Percentiles.Round(Percentiles.Of(s, 50)),
            siren_p99_ms = Percentiles.Round(Percentiles.Of(s, 99)),
            e2e_p50_ms = Percentiles.Round(Percentiles.Of(e, 50)),
            e2e_p99_ms = Percentiles.Round(Percentiles.Of(e, 99)),
            siren_max_ms = Percentiles.Round(s.Count > 0 ? s.Max() : double.NaN),
            e2e_max_ms = Percentiles.Round(e.Count > 0 ? e.Max() : double.NaN),
            baseline_timer_late_p50_ms = Percentiles.Round(Percentiles.Of([.. timerLate], 50)),
            baseline_timer_late_p99_ms = Percentiles.Round(Percentiles.Of([.. timerLate], 99)),
            baseline_mqtt_roundtrip_p50_ms = Percentiles.Round(Percentiles.Of(mqttFloor, 50)),
            baseline_mqtt_roundtrip_p99_ms = Percentiles.Round(Percentiles.Of(mqttFloor, 99)),
            gc_pause_ms = Math.Round(gcPause.TotalMilliseconds, 1),
            allocated_mb = Math.Round((GC.GetTotalAllocatedBytes() - allocatedBefore) / 1048576.0, 1),
            heap_mb = Math.Round(GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0, 1),
            gc_collections_gen0_1_2 = gcCounts,
            alarm_clock_realtime = EdgeWatch.Gateway.FireSafety.FireSafetyClock.Shared.RealTime,
            failed = failures.Count,
            targets_met = failures.IsEmpty && Percentiles.Of(s, 99) <= 2.0 && Percentiles.Of(e, 99) <= 100.0,
            seconds = Math.Round(warm.Elapsed.TotalSeconds, 1),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        try
        {
            Directory.Delete(dir, true);
        }
        catch (IOException)
        {
        }

        return failures.IsEmpty ? 0 : 1;
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        if (!await WaitQuietlyAsync(condition, TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException($"alarm-latency: timed out waiting for {what}");
        }
    }

    private static async Task<bool> WaitQuietlyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }
}
