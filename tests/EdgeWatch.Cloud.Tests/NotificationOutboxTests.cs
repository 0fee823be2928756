using System.Diagnostics;
using System.Globalization;
using System.Text;
using EdgeWatch.Cloud.Notify;
using EdgeWatch.Protocol;
using Microsoft.Data.Sqlite;
using EdgeWatch.Cloud.Site;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace EdgeWatch.Cloud.Tests;

[Trait("Category", "Integration")]
public class NotificationOutboxTests
{
    [Fact]
    public async Task FireNotificationIsSignedKeyedAndInVietnameseAndEveryStepIsInTheOutbox()
    {
        await using var rig = await CloudRig.StartAsync();
        var alarm = EventStoreTests.Alarm();
        await rig.Ingest.HandleAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.FireEvents("town", "gw-g1")).WithPayload(ProtocolJson.Serialize(alarm)).Build(), default);

        await Eventually.WaitAsync(() => rig.Notifier.Delivered == 1, TimeSpan.FromSeconds(10), "the webhook");
        Assert.Equal(0, rig.Webhook.BadSignatures); // the receiver checks every signature and refuses a bad one
        var n = Assert.Single(rig.Webhook.Received);
        Assert.Equal(alarm.Id, n.IncidentId); // the first event of an alarm names its incident
        var group = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Group("g1")!;
        var household = group.Households.Single(h => h.Id == alarm.Household);
        Assert.Equal($"CHÁY tại {household.Address}, {group.Name}. Thoát ra, gọi 114.", n.Text);
        Assert.Equal([$"{alarm.Id:D}/webhook"], rig.Webhook.Keys);

        var row = Assert.Single(await rig.Store.ListNotificationsAsync(alarm.Id, 10, default));
        Assert.Equal(("delivered", 1, WebhookNotifier.ChannelName), (row.Status, row.Attempts, row.Channel));
    }

    [Fact]
    public void WebhookSignatureIsTheHmacThatOpensslComputes()
    {
        var body = Encoding.UTF8.GetBytes("""{"text":"CHÁY tại 12 Lê Lợi"}""");
        const long timestamp = 1_780_000_000;
        var psi = new ProcessStartInfo("openssl", ["dgst", "-sha256", "-hmac", WebhookReceiver.Secret, "-r"]) { RedirectStandardInput = true, RedirectStandardOutput = true };
        using var openssl = Process.Start(psi)!;
        openssl.StandardInput.BaseStream.Write([.. Encoding.UTF8.GetBytes($"{timestamp}."), .. body]);
        openssl.StandardInput.Close();
        var expected = "sha256=" + openssl.StandardOutput.ReadToEnd().Split(' ')[0];
        Assert.True(openssl.WaitForExit(10_000), "openssl did not finish");

        Assert.Equal(expected, WebhookSignature.Sign(WebhookReceiver.Secret, timestamp, body));
        Assert.True(WebhookSignature.Verify(WebhookReceiver.Secret, timestamp.ToString(CultureInfo.InvariantCulture), expected, body));
        Assert.False(WebhookSignature.Verify(WebhookReceiver.Secret, (timestamp + 1).ToString(CultureInfo.InvariantCulture), expected, body));
        Assert.False(WebhookSignature.Verify("another-secret-of-16", timestamp.ToString(CultureInfo.InvariantCulture), expected, body));
    }

    [Fact]
    public async Task PendingNotificationSurvivesASigkillOfTheAggregatorAndIsDeliveredOnceAfterTheRestart()
    {
        var dir = Eventually.TempDirectory("edgewatch-outbox-kill");
        DemoTown.Create("town", 2, 8).Save(Path.Combine(dir, "site.json"));
        var db = Path.Combine(dir, "cloud.db");
        await using var webhook = await WebhookReceiver.StartAsync();
        webhook.Failing = true; // the notification service is down when the alarm comes in
        var brokerPort = Eventually.FreePort();
        var httpPort = Eventually.FreePort();
        string[] Args() =>
        [
            $"--urls=http://127.0.0.1:{httpPort}", $"--Broker:Port={brokerPort}", $"--Storage:ConnectionString=Data Source={db}",
            $"--Site:File={Path.Combine(dir, "site.json")}", $"--Notify:WebhookUrl={webhook.Url}", $"--Notify:WebhookSecret={WebhookReceiver.Secret}",
        ];

        var alarm = EventStoreTests.Alarm();
        using (var first = StartAggregator(Args()))
        {
            using var gateway = new MqttClientFactory().CreateMqttClient();
            var acked = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            gateway.ApplicationMessageReceivedAsync += e =>
            {
                // The acknowledgement comes only after the notification was committed with the event.
                acked.TrySetResult(Rows(db).Any(r => r.Incident == alarm.Id.ToString("D")));
                return Task.CompletedTask;
            };
            // Publish only once the aggregator's own ingest has subscribed: before that the broker has nobody to give it to.
            await Eventually.WaitAsync(() => IngestConnected(httpPort), TimeSpan.FromSeconds(60), "the aggregator's ingest", () => first.Output);
            await Eventually.WaitAsync(() => TryConnect(gateway, brokerPort), TimeSpan.FromSeconds(30), "the aggregator's broker", () => first.Output);
            await gateway.SubscribeAsync(Topics.Ack("town", "gw-g1"), MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
            await gateway.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.FireEvents("town", "gw-g1")).WithPayload(ProtocolJson.Serialize(alarm))
                .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.True(await acked.Task.WaitAsync(TimeSpan.FromSeconds(30)), "the gateway was acknowledged before the notification was committed");
            await Eventually.WaitAsync(() => Rows(db).Any(r => r.Attempts >= 2), TimeSpan.FromSeconds(30), "failed deliveries", () => first.Output);
            first.Kill();
        }

        Assert.Empty(webhook.Keys);
        var pending = Assert.Single(Rows(db));
        Assert.Equal("pending", pending.Status);

        webhook.Failing = false;
        using var second = StartAggregator(Args());
        await Eventually.WaitAsync(() => Rows(db).Single().Status == "delivered", TimeSpan.FromSeconds(60), "the delivery after the restart", () => second.Output);
        Assert.Equal([$"{alarm.Id:D}/webhook"], webhook.Keys);
        Assert.Equal(alarm.Id, Assert.Single(webhook.Received).EventId);
        second.Kill();
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }

    private static bool IngestConnected(int httpPort)
    {
        try
        {
            using var http = new HttpClient();
            return http.GetStringAsync(new Uri($"http://127.0.0.1:{httpPort}/api/health")).GetAwaiter().GetResult().Contains("\"ingestConnected\":true", StringComparison.Ordinal);
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static bool TryConnect(IMqttClient client, int port)
    {
        try
        {
            client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("gw-g1").Build()).GetAwaiter().GetResult();
            return true;
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
            return false;
        }
    }

    private static List<(string Incident, string Status, int Attempts)> Rows(string db)
    {
        if (!File.Exists(db))
        {
            return [];
        }

        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'notification_outbox'";
        if ((long)cmd.ExecuteScalar()! == 0)
        {
            return [];
        }

        cmd.CommandText = "SELECT incident_id, status, attempts FROM notification_outbox";
        using var r = cmd.ExecuteReader();
        var rows = new List<(string, string, int)>();
        while (r.Read())
        {
            rows.Add((r.GetString(0), r.GetString(1), r.GetInt32(2)));
        }

        return rows;
    }

    private static AggregatorProcess StartAggregator(string[] args) => new(args);

    /// <summary>The aggregator's own build output run as a separate process, so that it can be SIGKILLed.</summary>
    private sealed class AggregatorProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        public AggregatorProcess(string[] args)
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var dll = Path.Combine(Repo.Root, "cloud", "EdgeWatch.Cloud", "bin", configuration, "net10.0", "EdgeWatch.Cloud.dll");
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, ArgumentList = { dll } };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            _process = Process.Start(psi)!;
            _process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
            _process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public void Kill()
        {
            if (!_process.HasExited)
            {
                _process.Kill(); // SIGKILL
                Assert.True(_process.WaitForExit(10_000), "the aggregator did not die");
            }
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }
    }
}
