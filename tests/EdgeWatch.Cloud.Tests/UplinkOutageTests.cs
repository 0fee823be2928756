using System.Globalization;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Hardware.Simulation;
using EdgeWatch.Protocol;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Cloud.Tests;

/// <summary>The uplink against real brokers: the embedded MQTTnet server and Debian's Mosquitto, both on loopback.</summary>
[Trait("Category", "Integration")]
public class UplinkOutageTests
{
    /// <summary>The outage length; EDGEWATCH_OUTAGE_SECONDS may shorten it for a quick local run.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("EDGEWATCH_OUTAGE_SECONDS"), CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 60);

    internal static Dictionary<string, string?> BusyGateway(int brokerPort, string stateDirectory, string gateway = "gw-g1", string group = "g1")
    {
        var settings = GatewayHost.SimulatedSettings("town", gateway, group, brokerPort, stateDirectory);
        settings["Mqtt:ReconnectMinDelay"] = "00:00:00.100";
        settings["Mqtt:ReconnectMaxDelay"] = "00:00:02";
        settings["Uplink:HeartbeatInterval"] = "00:00:01";
        settings["Simulation:AlarmInterval"] = "00:00:02";
        settings["Simulation:TroubleInterval"] = "00:00:03";
        settings["Simulation:MotionInterval"] = "00:00:01";
        return settings;
    }

    private static void Quiet(ILoggingBuilder b) => b.SetMinimumLevel(LogLevel.Error);

    /// <summary>Seq order of arrival per lane, read from the aggregator's database in insertion order.</summary>
    private static Dictionary<string, List<long>> ArrivalOrder(string db, string gateway)
    {
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly");
        c.Open();
        var lanes = new Dictionary<string, List<long>>();
        void Read(string lane, string sql)
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            cmd.Parameters.AddWithValue("$g", gateway);
            using var r = cmd.ExecuteReader();
            var list = new List<long>();
            while (r.Read())
            {
                list.Add(r.GetInt64(0));
            }

            lanes[lane] = list;
        }

        Read("fire", "SELECT seq FROM events WHERE gateway = $g AND kind NOT IN ('trouble', 'trouble-cleared') ORDER BY rowid");
        Read("trouble", "SELECT seq FROM events WHERE gateway = $g AND kind IN ('trouble', 'trouble-cleared') ORDER BY rowid");
        Read("motion", "SELECT seq FROM motion_events WHERE gateway = $g ORDER BY rowid");
        Read("telemetry", "SELECT seq FROM heartbeats WHERE gateway = $g ORDER BY rowid");
        return lanes;
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("mosquitto")]
    public async Task NothingIsLostWhileTheBrokerIsDownForAMinute(string broker)
    {
        using var mosquitto = broker == "mosquitto" ? new MosquittoBroker() : null;
        if (mosquitto is not null)
        {
            await mosquitto.StartAsync();
        }

        await using var cloud = await CloudRig.StartAsync(externalBrokerPort: mosquitto?.Port);
        var state = Eventually.TempDirectory("edgewatch-gw");
        using var gateway = GatewayHost.Create([], BusyGateway(mosquitto?.Port ?? cloud.BrokerPort, state), Quiet);
        await gateway.StartAsync();
        var outbox = gateway.Services.GetRequiredService<Outbox>();
        var stamper = gateway.Services.GetRequiredService<EventStamper>();
        var alarms = 0;
        gateway.Services.GetRequiredService<FireSafetyEngine>().Raised += e => { if (e.Kind == FireEventKind.Alarm) { Interlocked.Increment(ref alarms); } };

        await Eventually.WaitAsync(() => cloud.StoredSeqs("gw-g1").Count >= 10, TimeSpan.FromSeconds(30), "traffic before the outage");

        // The broker goes away for a minute while events keep flowing.
        if (mosquitto is not null)
        {
            mosquitto.Kill();
        }
        else
        {
            await cloud.Broker.StopAsync(default);
        }

        await Task.Delay(Outage); // the scenario itself: real traffic against a broker that is gone for this long
        var backlogDuringOutage = outbox.Backlog;
        var acceptedDuringOutage = stamper.LastSeq;
        Assert.True(backlogDuringOutage[(int)Lane.Fire] > 0, "fire events should have queued during the outage");
        Assert.True(backlogDuringOutage.Sum() > 20, $"backlog {string.Join(",", backlogDuringOutage)}");

        if (mosquitto is not null)
        {
            await mosquitto.StartAsync();
        }
        else
        {
            await cloud.Broker.StartAsync(default);
        }

        // Every message accepted up to now arrives: sequence numbers 1..N with no gap.
        var uplink = gateway.Services.GetRequiredService<MqttUplink>();
        await AllArriveAsync(cloud, "gw-g1", acceptedDuringOutage, "the outage",
            () => $"uplink connected {uplink.Connected}, published {uplink.Published}, last error {uplink.LastError}, backlog {string.Join(",", outbox.Backlog)}, ingest connected {cloud.Ingest.Connected}");
        await gateway.StopAsync();

        // Order is kept within each lane.
        foreach (var (lane, seqs) in ArrivalOrder(cloud.DatabasePath, "gw-g1"))
        {
            Assert.True(seqs.SequenceEqual(seqs.Order()), $"{lane} lane arrived out of order: {string.Join(",", seqs)}");
        }

        // Every alarm notified exactly once (a second detector of one alarm joins it).
        static int Alarms(IEnumerable<Storage.StoredEvent> stored) => stored.Select(a => a.AlarmId ?? a.Id).Distinct().Count();
        await Eventually.WaitAsync(() => cloud.Webhook.Received.Count >= Alarms(cloud.Store.ListAsync(1000, "alarm", null, default).GetAwaiter().GetResult()), TimeSpan.FromSeconds(20), "notifications");
        var storedAlarms = await cloud.Store.ListAsync(1000, "alarm", null, default);
        Assert.Equal(Alarms(storedAlarms), cloud.Webhook.Received.Count);
        Assert.Equal(cloud.Webhook.Received.Count, cloud.Webhook.Received.Select(n => n.EventId).Distinct().Count());
        Assert.True(storedAlarms.Count >= Outage.TotalSeconds / 2 - 2, $"only {storedAlarms.Count} alarms over the run");
    }

    [Fact]
    public async Task EveryAcceptedEventArrivesAfterTheGatewayIsKilled()
    {
        using var mosquitto = new MosquittoBroker();
        await mosquitto.StartAsync();
        await using var cloud = await CloudRig.StartAsync(externalBrokerPort: mosquitto.Port);
        var state = Eventually.TempDirectory("edgewatch-gw");
        var settings = BusyGateway(mosquitto.Port, state);
        settings["Simulation:MotionInterval"] = "00:00:00.300";
        settings["Logging:LogLevel:Default"] = "Warning";

        using (var first = GatewayProcess.Start(settings))
        {
            try
            {
                await Eventually.WaitAsync(() => cloud.StoredSeqs("gw-g1").Count >= 10, TimeSpan.FromSeconds(60), "the gateway process to deliver");
            }
            catch (TimeoutException ex)
            {
                Assert.Fail($"{ex.Message}; gateway output:\n{first.Output}");
            }

            // Take the broker away so the gateway builds a backlog, then kill the gateway with SIGKILL mid-flow.
            mosquitto.Kill();
            await Eventually.WaitAsync(() => OutboxFile.Pending(Path.Combine(state, "outbox.db")) >= 10, TimeSpan.FromSeconds(30), "a backlog in the outbox");
            first.Kill();
        }

        var (pending, lastSeq) = OutboxFile.Read(Path.Combine(state, "outbox.db"));
        Assert.NotEmpty(pending);

        await mosquitto.StartAsync();
        using var second = GatewayProcess.Start(settings);
        await AllArriveAsync(cloud, "gw-g1", lastSeq, $"the restart ({pending.Count} pending at the kill)");

        // The restarted gateway continues the sequence instead of reusing numbers.
        await Eventually.WaitAsync(() => cloud.StoredSeqs("gw-g1").Any(s => s > lastSeq), TimeSpan.FromSeconds(30), "new events after the restart");
        second.Kill();
    }

    /// <summary>Waits until sequence numbers 1..<paramref name="last"/> have all been stored; fails listing the missing ones.</summary>
    internal static async Task AllArriveAsync(CloudRig cloud, string gateway, long last, string after, Func<string>? diagnostics = null)
    {
        try
        {
            await Eventually.WaitAsync(
                () => { var seqs = cloud.StoredSeqs(gateway); return Enumerable.Range(1, (int)last).All(n => seqs.Contains(n)); },
                TimeSpan.FromSeconds(60),
                $"all {last} accepted messages to arrive after {after}");
        }
        catch (TimeoutException ex)
        {
            var seqs = cloud.StoredSeqs(gateway);
            var missing = Enumerable.Range(1, (int)last).Where(n => !seqs.Contains(n)).ToList();
            Assert.Fail($"{ex.Message}; missing {missing.Count}: {string.Join(",", missing.Take(40))}; {diagnostics?.Invoke()}");
        }
    }

    [Fact]
    public async Task BrokerRefusalIsNotADeliveryAndShowsInHealth()
    {
        var acl = Path.Combine(Eventually.TempDirectory("edgewatch-acl"), "acl");
        // Gateways may publish everything except trouble events.
        File.WriteAllLines(acl,
        [
            "topic readwrite edgewatch/v1/+/+/status",
            "topic readwrite edgewatch/v1/+/+/heartbeat",
            "topic readwrite edgewatch/v1/+/+/evt/fire",
            "topic readwrite edgewatch/v1/+/+/evt/motion",
            "topic readwrite edgewatch/v1/+/+/cmd/#",
            "topic readwrite edgewatch/v1/+/+/config/#",
            "topic read edgewatch/v1/#",
        ]);
        using var mosquitto = new MosquittoBroker(acl);
        await mosquitto.StartAsync();
        await using var cloud = await CloudRig.StartAsync(externalBrokerPort: mosquitto.Port);
        var settings = GatewayHost.SimulatedSettings("town", "gw-g1", "g1", mosquitto.Port, Eventually.TempDirectory("edgewatch-gw"));
        settings["Uplink:RejectedRetryDelay"] = "00:00:00.500";
        using var gateway = GatewayHost.Create([], settings, Quiet);
        await gateway.StartAsync();
        var board = gateway.Services.GetRequiredService<SimulatedBoard>();
        var outbox = gateway.Services.GetRequiredService<Outbox>();
        var uplink = gateway.Services.GetRequiredService<MqttUplink>();
        await Eventually.WaitAsync(() => uplink.Connected, TimeSpan.FromSeconds(10), "the uplink");

        board.Trip("tamper");
        await Eventually.WaitAsync(() => uplink.Rejected > 0, TimeSpan.FromSeconds(10), "the broker to refuse the trouble event");

        // Both kept: the tamper trouble, and the uplink-refused trouble that reports its refusal (refused by this ACL too).
        await Eventually.WaitAsync(() => outbox.Backlog[(int)Lane.Trouble] == 2, TimeSpan.FromSeconds(10), "the refused tamper and uplink-refused troubles kept");
        Assert.Contains("135", uplink.LastError);

        var health = await gateway.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains("135", health.Entries["uplink"].Description);

        // The fire lane is not held up by the refused trouble lane.
        board.Trip("h7.call-point.outside");
        await Eventually.WaitAsync(() => !cloud.Webhook.Received.IsEmpty, TimeSpan.FromSeconds(10), "the alarm despite the refused trouble event");
        Assert.Equal(2, outbox.Backlog[(int)Lane.Trouble]);
        await gateway.StopAsync();
    }
}
