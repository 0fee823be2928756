using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeWatch.Cloud;
using EdgeWatch.Cloud.Ingest;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Simulation;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Hardware.Simulation;
using EdgeWatch.Protocol;
using EdgeWatch.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Benchmarks;

/// <summary>
/// 56 gateways at the town's event rate against Mosquitto (55 in this process, one as its own process):
/// heartbeats every 10 s, a motion start/end pair every 15 s and a tamper trouble every 60 s per gateway, and a fire
/// alarm somewhere in the town every 10 s. The broker is killed (SIGKILL) for 60 s; during the outage the separate
/// gateway process is SIGKILLed and restarted. Then the broker comes back and the backlog drains while fire alarms
/// keep being raised (one every 250 ms), whose time to the aggregator is measured.
/// lost: messages a gateway accepted (sequence numbers 1..last) that neither reached the aggregator nor remain in its
/// outbox; duplicates_notified: webhook POSTs beyond one per alarm id.
/// </summary>
internal static class OutageBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var gateways = Arg(args, "--gateways", 56);
        var outage = TimeSpan.FromSeconds(Arg(args, "--outage-seconds", 60));
        var dir = Eventually.TempDirectory("edgewatch-outage");
        DemoTown.Create("town", gateways, 8).Save(Path.Combine(dir, "site.json"));

        using var mosquitto = new MosquittoBroker();
        await mosquitto.StartAsync();
        await using var webhook = await WebhookReceiver.StartAsync();
        await using var cloud = CloudApp.Build(
            [$"--urls=http://127.0.0.1:{Eventually.FreePort()}"],
            new Dictionary<string, string?>
            {
                ["Broker:Mode"] = "external",
                ["Broker:Port"] = mosquitto.Port.ToString(CultureInfo.InvariantCulture),
                ["Storage:ConnectionString"] = $"Data Source={Path.Combine(dir, "cloud.db")}",
                ["Site:File"] = Path.Combine(dir, "site.json"),
                ["Notify:WebhookUrl"] = webhook.Url.ToString(),
                ["Notify:WebhookSecret"] = WebhookReceiver.Secret,
            },
            b => b.Logging.SetMinimumLevel(LogLevel.Critical));
        await cloud.StartAsync();
        var ingest = cloud.Services.GetRequiredService<MqttIngest>();
        var store = cloud.Services.GetRequiredService<EventStore>();
        var storedAt = new ConcurrentDictionary<Guid, long>();
        ingest.Stored += e => storedAt.TryAdd(e.Id, Stopwatch.GetTimestamp());
        await Eventually.WaitAsync(() => ingest.Connected, TimeSpan.FromSeconds(30), "the aggregator");

        Dictionary<string, string?> Settings(int g)
        {
            var s = GatewayHost.SimulatedSettings("town", $"gw-g{g}", $"g{g}", mosquitto.Port, Path.Combine(dir, $"gw-g{g}"));
            s["Uplink:HeartbeatInterval"] = "00:00:10";
            s["Simulation:MotionInterval"] = "00:00:15";
            s["Simulation:TroubleInterval"] = "00:01:00";
            return s;
        }

        Console.Error.WriteLine($"outage: {gateways} gateways against Mosquitto on port {mosquitto.Port}");
        var hosts = new List<IHost>();
        for (var g = 1; g < gateways; g++)
        {
            var host = GatewayHost.Create([], Settings(g), b => b.ClearProviders());
            await host.StartAsync();
            hosts.Add(host);
        }

        var childSettings = Settings(gateways);
        childSettings["Simulation:AlarmInterval"] = "00:00:30";
        childSettings["Logging:LogLevel:Default"] = "Critical";
        var child = GatewayProcess.Start(childSettings);
        var childId = $"gw-g{gateways}";
        var childOutbox = Path.Combine(dir, childId, "outbox.db");

        var raised = new ConcurrentDictionary<Guid, long>();
        foreach (var h in hosts)
        {
            h.Services.GetRequiredService<FireSafetyEngine>().Raised += e =>
            {
                if (e.Kind == FireEventKind.Alarm)
                {
                    raised.TryAdd(e.Id, Stopwatch.GetTimestamp());
                }
            };
        }

        await Eventually.WaitAsync(() => hosts.All(h => h.Services.GetRequiredService<MqttUplink>().Connected), TimeSpan.FromSeconds(60), "all uplinks");

        // A fire alarm somewhere in the town every 10 s for the whole run.
        using var stopAlarms = new CancellationTokenSource();
        var random = new Random(8201);
        var alarmEvery = TimeSpan.FromSeconds(10);
        var townAlarms = Task.Run(async () =>
        {
            while (!stopAlarms.IsCancellationRequested)
            {
                await TripAsync(hosts[random.Next(hosts.Count)], random);
                try
                {
                    await Task.Delay(alarmEvery, stopAlarms.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(10));
        Console.Error.WriteLine("outage: killing the broker");
        mosquitto.Kill();
        var outageClock = Stopwatch.StartNew();
        var backlogMax = 0;
        var childKilled = false;
        var childRestarted = false;
        while (outageClock.Elapsed < outage)
        {
            backlogMax = Math.Max(backlogMax, hosts.Sum(h => h.Services.GetRequiredService<Outbox>().Backlog.Sum()) + OutboxFile.Pending(childOutbox));
            if (!childKilled && outageClock.Elapsed > outage / 3)
            {
                Console.Error.WriteLine("outage: SIGKILL of the gateway process");
                child.Kill();
                childKilled = true;
            }

            if (!childRestarted && outageClock.Elapsed > outage * 2 / 3)
            {
                Console.Error.WriteLine("outage: restarting the gateway process");
                child.Dispose();
                child = GatewayProcess.Start(childSettings);
                childRestarted = true;
            }

            await Task.Delay(500);
        }

        Console.Error.WriteLine($"outage: broker back after {outageClock.Elapsed.TotalSeconds:0} s, backlog {backlogMax}");
        await mosquitto.StartAsync();
        var drainClock = Stopwatch.StartNew();

        // Fire alarms during the drain, one every 250 ms, each on a gateway that is back online (preferring one that
        // still has a backlog): the alarm must overtake the backlog, not wait behind it.
        var drainAlarms = new ConcurrentBag<Guid>();
        var drainDone = false;
        var duringDrain = Task.Run(async () =>
        {
            for (var i = 0; i < 40 && !Volatile.Read(ref drainDone); i++)
            {
                var online = hosts.Where(h => h.Services.GetRequiredService<MqttUplink>().Connected).ToList();
                if (online.Count == 0)
                {
                    await Task.Delay(50);
                    continue;
                }

                var host = online.OrderByDescending(h => h.Services.GetRequiredService<Outbox>().Backlog.Sum()).ThenBy(_ => random.Next()).First();
                var engine = host.Services.GetRequiredService<FireSafetyEngine>();
                void Capture(FireEvent e)
                {
                    if (e.Kind == FireEventKind.Alarm)
                    {
                        drainAlarms.Add(e.Id);
                    }
                }

                engine.Raised += Capture;
                _ = TripAsync(host, random).ContinueWith(_ => engine.Raised -= Capture, TaskScheduler.Default);
                await Task.Delay(250);
            }
        });

        await Eventually.WaitAsync(
            () => hosts.All(h => h.Services.GetRequiredService<Outbox>().Backlog.Sum() == 0) && OutboxFile.Pending(childOutbox) == 0,
            TimeSpan.FromSeconds(120),
            "the backlog to drain");
        var drainSeconds = drainClock.Elapsed.TotalSeconds;
        Volatile.Write(ref drainDone, true);
        await duringDrain;
        Console.Error.WriteLine($"outage: drained in {drainSeconds:0.0} s");

        // Stop producing, let the last messages through, then count.
        await stopAlarms.CancelAsync();
        await townAlarms;
        foreach (var h in hosts)
        {
            foreach (var s in h.Services.GetServices<IHostedService>().Where(s => s is SimulatedActivity or HeartbeatService))
            {
                await s.StopAsync(default);
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        await Eventually.WaitAsync(() => hosts.All(h => h.Services.GetRequiredService<Outbox>().Backlog.Sum() == 0), TimeSpan.FromSeconds(60), "the final messages");
        child.Kill(); // its outbox keeps whatever it had not sent yet; that is pending, not lost
        await Task.Delay(TimeSpan.FromSeconds(2));

        var stored = (await store.ListSequencesAsync(default)).GroupBy(s => s.Gateway).ToDictionary(g => g.Key, g => g.Select(x => x.Seq).ToHashSet());
        long accepted = 0, delivered = 0, lost = 0;
        for (var g = 1; g <= gateways; g++)
        {
            var id = $"gw-g{g}";
            var (pending, last) = g < gateways
                ? (new HashSet<long>(), hosts[g - 1].Services.GetRequiredService<EventStamper>().LastSeq)
                : OutboxFile.Read(childOutbox);
            var got = stored.GetValueOrDefault(id) ?? [];
            accepted += last;
            delivered += got.Count(s => s <= last);
            lost += Enumerable.Range(1, (int)last).Count(s => !got.Contains(s) && !pending.Contains(s));
        }

        var notifications = webhook.Received.ToArray();
        var duplicates = notifications.Length - notifications.Select(n => n.EventId).Distinct().Count();
        var fireLatency = drainAlarms.Where(id => raised.ContainsKey(id) && storedAt.ContainsKey(id)).Select(id => Percentiles.Ms(storedAt[id] - raised[id])).ToList();
        var missingDrainAlarms = drainAlarms.Count(id => !storedAt.ContainsKey(id));

        foreach (var h in hosts)
        {
            await h.StopAsync();
            h.Dispose();
        }

        child.Dispose();
        await cloud.StopAsync();
        var result = new
        {
            bench = "outage",
            accepted,
            delivered,
            lost,
            duplicates_notified = duplicates,
            backlog_max = backlogMax,
            drain_s = Math.Round(drainSeconds, 2),
            fire_during_drain_p99_ms = Percentiles.Round(Percentiles.Of(fireLatency, 99)),
            fire_during_drain_p50_ms = Percentiles.Round(Percentiles.Of(fireLatency, 50)),
            fire_during_drain_count = fireLatency.Count,
            fire_during_drain_missing = missingDrainAlarms,
            gateways,
            outage_s = outage.TotalSeconds,
            alarms_notified = notifications.Select(n => n.EventId).Distinct().Count(),
            targets_met = lost == 0 && duplicates == 0 && drainSeconds <= 10 && Percentiles.Of(fireLatency, 99) <= 250,
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(dir, true);
        }
        catch (IOException)
        {
        }

        return lost == 0 && duplicates == 0 ? 0 : 1;
    }

    private static async Task TripAsync(IHost host, Random random)
    {
        var board = host.Services.GetRequiredService<SimulatedBoard>();
        var engine = host.Services.GetRequiredService<FireSafetyEngine>();
        var points = board.Profile.Channels.Where(c => c.Kind == ChannelKind.CallPoint).Select(c => c.Id).ToArray();
        string point;
        lock (random)
        {
            point = points[random.Next(points.Length)];
        }

        board.Trip(point);
        await Task.Delay(600);
        board.Restore(point);
        await Task.Delay(400);
        engine.Reset("benchmark");
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
    }
}
