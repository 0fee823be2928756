using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeWatch.Cloud;
using EdgeWatch.Cloud.Broker;
using EdgeWatch.Cloud.Ingest;
using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Emulators;
using EdgeWatch.Protocol;
using EdgeWatch.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace EdgeWatch.Benchmarks;

/// <summary>
/// People reached: the real aggregator with the ZNS emulator, modem emulators (about 3 s per <c>AT+CMGS</c>, on socat
/// ptys), the SMTP emulator and a webhook receiver, while motion events arrive at 10 per second. Each group has 15
/// households and 30 members (the demo town's: 21 on Zalo, 3 who read mail first, 6 SMS-only), and 2 officers are on
/// duty.
/// Sequential: 10 alarms in different groups, each after the previous one has reached every member, on one modem;
/// from the aggregator receiving the fire event to the first member's accepted delivery and to every member's.
/// Burst: 5 groups at once, with 1, 2 and 4 modems: the time until every member of all 5 is reached.
/// The floor it is compared with: one modem sends one SMS at a time, so every member can't be reached before the
/// SMS-only members' first messages have gone one after another (<c>sms_floor_ms</c>: 6 × the AT+CMGS time, and for
/// the burst 30 × it ÷ modems).
/// </summary>
internal static class NotifyBenchmark
{
    private const string Bench = "notify";
    private static readonly int[] ModemCounts = [1, 2, 4];
    private const int Households = 15;

    public static async Task<int> RunAsync(string[] args)
    {
        var sequential = BenchmarkHelpers.Arg(args, "--alarms", 10);
        var smsDelayMs = BenchmarkHelpers.Arg(args, "--sms-ms", 3000);
        var dir = Path.Combine(Path.GetTempPath(), $"edgewatch-bench-notify-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            var (firstMs, allMs, lost1, dup1) = await SequentialAsync(dir, sequential, smsDelayMs);
            var burst = new Dictionary<string, double>();
            var lost = lost1;
            var duplicates = dup1;
            foreach (var modems in ModemCounts)
            {
                var (ms, l, d) = await BurstAsync(dir, modems, smsDelayMs);
                burst[modems.ToString(CultureInfo.InvariantCulture)] = Percentiles.Round(ms);
                lost += l;
                duplicates += d;
            }

            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["bench"] = Bench,
                ["modems"] = 1,
                ["members_per_group"] = DemoTown.Create("town", 1, Households).Document.Groups[0].Households.SelectMany(h => h.Members)
                    .GroupBy(m => m.Channels[0]).ToDictionary(g => g.Key, g => g.Count()),
                ["sms_ms"] = smsDelayMs,
                ["first_member_median_ms"] = Percentiles.Round(Percentiles.Of(firstMs, 50)),
                ["first_member_max_ms"] = Percentiles.Round(firstMs.Max()),
                ["all_members_reached_median_ms"] = Percentiles.Round(Percentiles.Of(allMs, 50)),
                ["all_members_reached_max_ms"] = Percentiles.Round(allMs.Max()),
                ["burst_all_reached_ms"] = burst,
                ["sms_floor_ms"] = 6 * smsDelayMs,
                ["burst_sms_floor_ms"] = ModemCounts.ToDictionary(m => m.ToString(CultureInfo.InvariantCulture), m => 30 * smsDelayMs / m),
                ["lost"] = lost,
                ["duplicates"] = duplicates,
                ["targets"] = new Dictionary<string, object> { ["first_member_max_ms"] = 1000, ["all_members_reached_max_ms"] = 30000 },
            }));
            return 0;
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static async Task<(List<double> First, List<double> All, int Lost, int Duplicates)> SequentialAsync(string dir, int alarms, int smsDelayMs)
    {
        await using var site = await Site.StartAsync(Path.Combine(dir, "sequential"), 1, smsDelayMs);
        List<double> first = [], all = [];
        var lost = 0;
        for (var g = 1; g <= alarms; g++)
        {
            var (f, a, l) = await site.AlarmAsync([$"g{g}"]);
            first.Add(f);
            all.Add(a);
            lost += l;
            Console.Error.WriteLine($"notify: alarm {g}: first member {f:0} ms, every member {a:0} ms");
        }

        return (first, all, lost, site.Duplicates());
    }

    private static async Task<(double Ms, int Lost, int Duplicates)> BurstAsync(string dir, int modems, int smsDelayMs)
    {
        await using var site = await Site.StartAsync(Path.Combine(dir, $"burst-{modems}"), modems, smsDelayMs);
        var (_, all, lost) = await site.AlarmAsync(["g11", "g12", "g13", "g14", "g15"], drain: false);
        Console.Error.WriteLine($"notify: burst of 5 groups, {modems} modem(s): every member in {all:0} ms");
        return (all, lost, site.Duplicates());
    }

    /// <summary>One aggregator with its emulators, and the clock of every acceptance by phone.</summary>
    private sealed class Site : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, long> _reached = new();
        private readonly ConcurrentBag<string> _accepted = [];
        private readonly List<ModemEmulator> _modems;
        private readonly ZnsEmulator _zns;
        private readonly SmtpEmulator _smtp;
        private readonly WebhookReceiver _webhook;
        private readonly WebApplication _cloud;
        private readonly SiteDirectory _town;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _motion;
        private long _seq = 1000;

        private Site(List<ModemEmulator> modems, ZnsEmulator zns, SmtpEmulator smtp, WebhookReceiver webhook, WebApplication cloud, SiteDirectory town)
        {
            (_modems, _zns, _smtp, _webhook, _cloud, _town) = (modems, zns, smtp, webhook, cloud, town);
            _zns.OnAccepted = m => Reached(m.Phone, $"zns {m.TrackingId}");
            var phoneByEmail = town.Document.Groups.SelectMany(g => g.Households).SelectMany(h => h.Members).Where(m => m.Email is not null)
                .ToDictionary(m => m.Email!, m => PhoneNumber.Normalise(m.Phone)!, StringComparer.OrdinalIgnoreCase);
            _smtp.OnAccepted = m =>
            {
                if (phoneByEmail.TryGetValue(m.To[0], out var phone))
                {
                    Reached(phone, $"email {m.MessageId}");
                }
            };
            // Members' messages only: an officer's escalation and reminders repeat a text on purpose.
            var members = town.Document.Groups.SelectMany(g => g.Households).SelectMany(h => h.Members).Select(m => PhoneNumber.Normalise(m.Phone)!).ToHashSet();
            foreach (var modem in _modems)
            {
                modem.OnMessage = m =>
                {
                    if (!m.Text.StartsWith("EdgeWatch", StringComparison.Ordinal) && members.Contains(m.Destination))
                    {
                        Reached(m.Destination, $"sms {m.Destination} {m.Text}");
                    }
                };
            }

            _motion = Task.Run(() => MotionAsync(_stop.Token));
        }

        private MqttIngest Ingest => _cloud.Services.GetRequiredService<MqttIngest>();

        public static async Task<Site> StartAsync(string dir, int modems, int smsDelayMs)
        {
            Directory.CreateDirectory(dir);
            var town = DemoTown.Create("town", 15, Households);
            town.Save(Path.Combine(dir, "site.json"));
            var emulators = new List<ModemEmulator>();
            for (var i = 0; i < modems; i++)
            {
                var modem = await ModemEmulator.StartAsync(dir, $"modem{i}");
                modem.SendDelay = TimeSpan.FromMilliseconds(smsDelayMs);
                emulators.Add(modem);
            }

            var zns = await ZnsEmulator.StartAsync("bench-refresh-token");
            var smtp = SmtpEmulator.Start();
            var webhook = await WebhookReceiver.StartAsync();
            var settings = new Dictionary<string, string?>
            {
                ["Broker:Port"] = "0",
                ["Storage:ConnectionString"] = $"Data Source={Path.Combine(dir, "bench.db")}",
                ["Site:File"] = Path.Combine(dir, "site.json"),
                ["Notify:WebhookUrl"] = webhook.Url.ToString(),
                ["Notify:WebhookSecret"] = WebhookReceiver.Secret,
                ["Notify:Zns:ApiUrl"] = zns.Url.ToString(),
                ["Notify:Zns:OAuthUrl"] = zns.Url.ToString(),
                ["Notify:Zns:AppId"] = ZnsEmulator.AppId,
                ["Notify:Zns:SecretKey"] = ZnsEmulator.SecretKey,
                ["Notify:Zns:RefreshToken"] = zns.CurrentRefreshToken,
                ["Notify:Zns:FireTemplateId"] = ZnsEmulator.FireTemplate,
                ["Notify:Smtp:Host"] = SmtpEmulator.Host,
                ["Notify:Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
                ["Notify:Smtp:Security"] = "None",
                // The simulated gateways speak only when they alarm: not an outage to tell technicians about.
                ["Notify:OfflineAfter"] = "00:30:00",
            };
            for (var i = 0; i < modems; i++)
            {
                settings[$"Notify:Modem:Ports:{i}"] = emulators[i].Port;
            }

            var cloud = CloudApp.Build([$"--urls=http://127.0.0.1:{EmbeddedBroker.FreeLoopbackPort()}"], settings, b => b.Logging.SetMinimumLevel(LogLevel.Error));
            await cloud.StartAsync();
            var pool = cloud.Services.GetRequiredService<Cloud.Notify.Sms.ModemPool>();
            await BenchmarkHelpers.WaitAsync(Bench, () => cloud.Services.GetRequiredService<MqttIngest>().Connected && pool.Status.All(s => s.Fault is null), TimeSpan.FromSeconds(20), "the aggregator and its modems");
            return new Site(emulators, zns, smtp, webhook, cloud, town);
        }

        /// <summary>Alarms in <paramref name="groups"/> at once; the first acceptance and the last member's, from the event's arrival.</summary>
        public async Task<(double FirstMs, double AllMs, int Lost)> AlarmAsync(string[] groups, bool drain = true)
        {
            var members = groups.SelectMany(g => _town.Group(g)!.Households.SelectMany(h => h.Members)).Select(m => PhoneNumber.Normalise(m.Phone)!).ToList();
            var started = Stopwatch.GetTimestamp();
            foreach (var group in groups)
            {
                var alarm = new FireEvent
                {
                    Id = Guid.CreateVersion7(), Seq = Interlocked.Increment(ref _seq), Site = "town", Gateway = $"gw-{group}", Group = group,
                    Kind = FireEventKind.Alarm, Household = "h3", Channel = "h3.smoke", Cause = "smoke",
                    WallTime = DateTimeOffset.UtcNow, MonotonicMs = Environment.TickCount64, ClockSynced = true,
                };
                await Ingest.HandleAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.FireEvents("town", alarm.Gateway)).WithPayload(ProtocolJson.Serialize(alarm)).Build(), default);
            }

            try
            {
                await BenchmarkHelpers.WaitAsync(Bench, () => members.All(_reached.ContainsKey), TimeSpan.FromSeconds(600), "every member reached");
            }
            catch (TimeoutException)
            {
                return (double.NaN, double.NaN, members.Count(m => !_reached.ContainsKey(m)));
            }

            var times = members.Select(m => Percentiles.Ms(_reached[m] - started)).ToList();

            if (!drain)
            {
                return (times.Min(), times.Max(), 0);
            }

            // "Fully delivered": the details SMS and the officers' messages too, before the next alarm starts.
            var store = _cloud.Services.GetRequiredService<Cloud.Storage.EventStore>();
            await BenchmarkHelpers.WaitAsync(Bench, () => store.ListNotificationsAsync(null, 100_000, default).GetAwaiter().GetResult().All(n => n.Status != "pending"), TimeSpan.FromSeconds(600), "the outbox drained");
            return (times.Min(), times.Max(), 0);
        }

        public int Duplicates() => _accepted.GroupBy(a => a).Sum(g => g.Count() - 1);

        private void Reached(string phone, string what)
        {
            _reached.TryAdd(phone, Stopwatch.GetTimestamp());
            _accepted.Add(what);
        }

        /// <summary>Motion from the cameras at 10 events per second, through the same ingest.</summary>
        private async Task MotionAsync(CancellationToken ct)
        {
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            var boot = Guid.NewGuid();
            try
            {
                while (await tick.WaitForNextTickAsync(ct))
                {
                    var id = Guid.CreateVersion7();
                    var m = new MotionEvent
                    {
                        Id = id, Seq = Interlocked.Increment(ref _seq), Site = "town", Gateway = "gw-g15", Boot = boot, EventId = id, Camera = "cam-1",
                        Phase = "start", Zones = ["yard"], Armed = true, PeakArea = 0.05, WallTime = DateTimeOffset.UtcNow, MonotonicMs = Environment.TickCount64, ClockSynced = true,
                    };
                    await Ingest.HandleAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.MotionEvents("town", "gw-g15")).WithPayload(ProtocolJson.Serialize(m)).Build(), ct);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _motion;
            await _cloud.StopAsync();
            await _cloud.DisposeAsync();
            await _webhook.DisposeAsync();
            await _zns.DisposeAsync();
            await _smtp.DisposeAsync();
            foreach (var modem in _modems)
            {
                await modem.DisposeAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _stop.Dispose();
        }
    }
}
