using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EdgeWatch.Cloud.Broker;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Hardware.Simulation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeWatch.Cloud.Tests;

/// <summary>
/// The embedded broker's TLS listener with a site made by the real provisioning tool: a node publishes as itself and
/// as nothing else, only the aggregator commands, and revoked, expired, foreign and missing certificates are refused.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BrokerTrustTests : IAsyncLifetime
{
    private TrustSite _site = null!;
    private EmbeddedBroker _broker = null!;
    private int _tlsPort;

    public async Task InitializeAsync()
    {
        _site = await TrustSite.CreateAsync("town");
        _tlsPort = Eventually.FreePort();
        _broker = new EmbeddedBroker(
            Options.Create(new BrokerOptions
            {
                Mode = "embedded",
                Host = "127.0.0.1",
                Port = 0,
                Tls = new BrokerTlsOptions
                {
                    Enabled = true,
                    Host = "127.0.0.1",
                    Port = _tlsPort,
                    Certificate = _site.BrokerCertificate,
                    Key = _site.BrokerKey,
                    Authority = _site.Authority,
                    RevocationList = _site.RevocationList,
                },
            }),
            NullLogger<EmbeddedBroker>.Instance);
        await _broker.StartAsync(default);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _site.Dispose();
    }

    private Task<IMqttClient> ConnectAsync(string certificate, string key, string clientId) => TrustClients.ConnectAsync(_tlsPort, _site.Authority, certificate, key, clientId);

    private Task<IMqttClient> ConnectNodeAsync(NodeBundleFiles node) => ConnectAsync(node.Certificate, node.Key, node.Id);

    /// <summary>A plain client on the loopback listener, as the aggregator's ingest is: it sees everything published.</summary>
    private async Task<(IMqttClient Client, ConcurrentQueue<string> Topics)> WatchAsync()
    {
        var topics = new ConcurrentQueue<string>();
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            topics.Enqueue(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithClientId("watch").WithProtocolVersion(MqttProtocolVersion.V500).Build());
        await client.SubscribeAsync(Topics.AllGatewayTrafficFilter, MqttQualityOfServiceLevel.AtLeastOnce);
        return (client, topics);
    }

    private static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic) => TrustClients.PublishAsync(client, topic);

    [Fact]
    public async Task AGatewayPublishesAsItselfAndAnotherGatewaysFireEventIsRefusedWith135AndReachesNobody()
    {
        var a = await _site.AddNodeAsync("gw-a");
        var b = await _site.AddNodeAsync("gw-b");
        var (watch, topics) = await WatchAsync();
        using var clientA = await ConnectNodeAsync(a);
        using var clientB = await ConnectNodeAsync(b);

        var forged = await PublishAsync(clientB, Topics.FireEvents("town", "gw-a"));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        Assert.Equal(135, (int)forged.ReasonCode);
        var otherSite = await PublishAsync(clientB, Topics.FireEvents("elsewhere", "gw-b"));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, otherSite.ReasonCode);

        var own = await PublishAsync(clientB, Topics.FireEvents("town", "gw-b"));
        Assert.NotEqual(MqttClientPublishReasonCode.NotAuthorized, own.ReasonCode);
        var status = await PublishAsync(clientA, Topics.Status("town", "gw-a"));
        Assert.NotEqual(MqttClientPublishReasonCode.NotAuthorized, status.ReasonCode);

        await Eventually.WaitAsync(() => topics.Contains(Topics.Status("town", "gw-a")) && topics.Contains(Topics.FireEvents("town", "gw-b")), TimeSpan.FromSeconds(10), "the allowed messages to arrive");
        Assert.DoesNotContain(Topics.FireEvents("town", "gw-a"), topics);
        Assert.DoesNotContain(Topics.FireEvents("elsewhere", "gw-b"), topics);
        watch.Dispose();
    }

    [Fact]
    public async Task OnlyTheAggregatorCommandsAGatewayAndAGatewaySubscribesOnlyToItsOwnCommands()
    {
        var a = await _site.AddNodeAsync("gw-a");
        var b = await _site.AddNodeAsync("gw-b");
        using var clientA = await ConnectNodeAsync(a);
        using var clientB = await ConnectNodeAsync(b);
        var received = new ConcurrentQueue<string>();
        clientA.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };

        var mine = await clientA.SubscribeAsync(Topics.CommandFilter("town", "gw-a"), MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, mine.Items.Single().ResultCode);
        var theirs = await clientB.SubscribeAsync(Topics.CommandFilter("town", "gw-a"), MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, theirs.Items.Single().ResultCode);
        var everything = await clientB.SubscribeAsync("edgewatch/v1/#", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, everything.Items.Single().ResultCode);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await PublishAsync(clientB, Topics.Command("town", "gw-a", CommandNames.Silence))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await PublishAsync(clientB, Topics.Ack("town", "gw-a"))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await PublishAsync(clientA, Topics.Command("town", "gw-a", CommandNames.Reset))).ReasonCode);

        var (certificate, key) = _site.Aggregator;
        using var aggregator = await ConnectAsync(certificate, key, "aggregator");
        Assert.NotEqual(MqttClientPublishReasonCode.NotAuthorized, (await PublishAsync(aggregator, Topics.Command("town", "gw-a", CommandNames.Reset))).ReasonCode);
        await Eventually.WaitAsync(() => received.Contains(Topics.Command("town", "gw-a", CommandNames.Reset)), TimeSpan.FromSeconds(10), "the aggregator's command to reach gw-a");
        Assert.DoesNotContain(Topics.Command("town", "gw-a", CommandNames.Silence), received);
    }

    [Fact]
    public async Task RevokedAndForeignCertificatesAndAnotherClientIdAreRefused()
    {
        var revoked = await _site.AddNodeAsync("gw-revoked");
        await _site.RevokeAsync("gw-revoked");
        using var foreignSite = await TrustSite.CreateAsync("town");
        var foreign = await foreignSite.AddNodeAsync("gw-foreign");
        var good = await _site.AddNodeAsync("gw-good");

        await Assert.ThrowsAnyAsync<Exception>(() => ConnectNodeAsync(revoked));
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectNodeAsync(foreign));

        // The right certificate under another name: the certificate's name is the client id.
        var client = new MqttClientFactory().CreateMqttClient();
        var options = TrustClients.Options(_tlsPort, _site.Authority, good.Certificate, good.Key, "gw-a");
        var result = await client.ConnectAsync(options); // MQTTnet 5 answers a refusal with its reason code
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, result.ResultCode);
        Assert.False(client.IsConnected);

        using var accepted = await ConnectNodeAsync(good); // and the good one still gets in
        Assert.True(accepted.IsConnected);
    }

    [Fact]
    public async Task AnExpiredCertificateIsRefused()
    {
        var node = await _site.AddNodeAsync("gw-old", days: 30);
        using var accepted = await ConnectNodeAsync(node);
        Assert.True(accepted.IsConnected);

        // The same node seen by a broker whose clock is 31 days on.
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(31));
        var port = Eventually.FreePort();
        await using var broker = new EmbeddedBroker(
            Options.Create(new BrokerOptions
            {
                Mode = "embedded",
                Host = "127.0.0.1",
                Port = 0,
                Tls = new BrokerTlsOptions { Enabled = true, Host = "127.0.0.1", Port = port, Certificate = _site.BrokerCertificate, Key = _site.BrokerKey, Authority = _site.Authority },
            }),
            NullLogger<EmbeddedBroker>.Instance,
            later);
        await broker.StartAsync(default);
        var client = new MqttClientFactory().CreateMqttClient();
        var options = TrustClients.Options(port, _site.Authority, node.Certificate, node.Key, node.Id);
        await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(options));
        Assert.False(client.IsConnected);
    }

    private Dictionary<string, string?> GatewaySettings(NodeBundleFiles node, string? key = null) =>
        node.AppliedTo(GatewayHost.SimulatedSettings("town", node.Id, "g1", _tlsPort, Eventually.TempDirectory("edgewatch-tls-gateway")), key);

    [Fact]
    public async Task AGatewayWithItsBundleConnectsOverTlsAndItsFireAlarmArrives()
    {
        var node = await _site.AddNodeAsync("gw-g1");
        var (watch, topics) = await WatchAsync();
        using var gateway = GatewayHost.Create([], GatewaySettings(node), b => b.SetMinimumLevel(LogLevel.Warning));
        await gateway.StartAsync();
        await Eventually.WaitAsync(() => topics.Contains(Topics.Status("town", "gw-g1")), TimeSpan.FromSeconds(15), "the gateway's status over TLS");

        gateway.Services.GetRequiredService<SimulatedBoard>().Trip("h2.smoke");
        await Eventually.WaitAsync(() => topics.Contains(Topics.FireEvents("town", "gw-g1")), TimeSpan.FromSeconds(15), "the fire alarm over TLS");
        await gateway.StopAsync();
        watch.Dispose();
    }

    [Fact]
    public async Task ANodeCertificateThatExpiresWithin30DaysShowsInHealth()
    {
        var node = await _site.AddNodeAsync("gw-g1", days: 20);
        using var gateway = GatewayHost.Create([], GatewaySettings(node), b => b.SetMinimumLevel(LogLevel.Warning));
        await gateway.StartAsync();
        var uplink = gateway.Services.GetRequiredService<MqttUplink>();
        await Eventually.WaitAsync(() => uplink.Connected, TimeSpan.FromSeconds(15), "the gateway to connect over TLS");
        var health = await gateway.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync();
        var entry = health.Entries.Single(e => e.Value.Data.ContainsKey("certificate_expires")).Value;
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, entry.Status);
        Assert.Contains("the node certificate expires on", entry.Description, StringComparison.Ordinal);
        Assert.Contains("was not renewed", entry.Description, StringComparison.Ordinal);
        await gateway.StopAsync();
    }

    [Fact]
    public async Task AGatewayWhoseKeyIsMissingSaysWhichFileInItsHealthAndStillSoundsItsSirens()
    {
        var node = await _site.AddNodeAsync("gw-g1");
        var missing = Path.Combine(node.Directory, "gone.key");
        using var gateway = GatewayHost.Create([], GatewaySettings(node, missing), b => b.SetMinimumLevel(LogLevel.Critical));
        await gateway.StartAsync();
        var uplink = gateway.Services.GetRequiredService<MqttUplink>();
        await Eventually.WaitAsync(() => uplink.LastError is not null, TimeSpan.FromSeconds(15), "the uplink to report its problem");
        Assert.Contains($"Mqtt:ClientKey {missing} is missing", uplink.LastError, StringComparison.Ordinal);

        gateway.Services.GetRequiredService<SimulatedBoard>().Trip("h2.smoke");
        var engine = gateway.Services.GetRequiredService<FireSafetyEngine>();
        await Eventually.WaitAsync(() => engine.State == GroupState.Alarm, TimeSpan.FromSeconds(10), "the alarm without a broker");
        await gateway.StopAsync();
    }

    [Fact]
    public async Task PlainTcpIsRefusedOnTheTlsPort()
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _tlsPort).WithClientId("gw-a").WithProtocolVersion(MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(5)).Build();
        await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(options));
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task RevokingAConnectedNodeDropsItsSessionAtOnce()
    {
        var a = await _site.AddNodeAsync("gw-a");
        using var clientA = await ConnectNodeAsync(a);
        var dropped = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        clientA.DisconnectedAsync += e =>
        {
            dropped.TrySetResult(e);
            return Task.CompletedTask;
        };

        await _site.RevokeAsync("gw-a");
        var reason = await dropped.Task.WaitAsync(TimeSpan.FromSeconds(15)); // throws if the broker never drops it
        Assert.NotNull(reason);
        Assert.False(clientA.IsConnected);
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectNodeAsync(a));
    }
}
