using System.Security.Cryptography.X509Certificates;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Hardware.Simulation;
using EdgeWatch.Mqtt.Trust;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using EdgeWatch.Protocol;
using MQTTnet;
using MQTTnet.Protocol;
using static EdgeWatch.Cloud.Tests.TrustClients;

namespace EdgeWatch.Cloud.Tests;

/// <summary>
/// Debian's Mosquitto 2.0 with the configuration <c>edgewatch-provision site init</c> writes (mutual TLS,
/// <c>use_identity_as_username</c>, the ACL file and the revocation list): the same trust as the embedded broker.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MosquittoTrustTests : IAsyncLifetime
{
    private TrustSite _site = null!;
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _site = await TrustSite.CreateAsync("town");
        _broker = MosquittoBroker.WithConfiguration(_site.File("mosquitto/mosquitto.conf"), Eventually.FreePort());
    }

    public Task DisposeAsync()
    {
        _broker.Dispose();
        _site.Dispose();
        return Task.CompletedTask;
    }

    private Task<IMqttClient> ConnectNodeAsync(NodeBundleFiles node) => ConnectAsync(_broker.Port, _site.Authority, node.Certificate, node.Key, node.Id);

    [Fact]
    public async Task AGatewayCannotPublishAsAnotherNorCommandItAndOnlyTheAggregatorCommands()
    {
        var a = await _site.AddNodeAsync("gw-a");
        var b = await _site.AddNodeAsync("gw-b");
        await _broker.StartAsync();
        var (certificate, key) = _site.Aggregator;
        using var aggregator = await ConnectAsync(_broker.Port, _site.Authority, certificate, key, "aggregator");
        var seen = Received(aggregator);
        await aggregator.SubscribeAsync(Topics.AllGatewayTrafficFilter, MqttQualityOfServiceLevel.AtLeastOnce);
        using var clientA = await ConnectNodeAsync(a);
        using var clientB = await ConnectNodeAsync(b);
        var toA = Received(clientA);
        await clientA.SubscribeAsync(Topics.CommandFilter("town", "gw-a"), MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await PublishAsync(clientB, Topics.FireEvents("town", "gw-a"))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await PublishAsync(clientB, Topics.Command("town", "gw-a", CommandNames.Silence))).ReasonCode);
        Assert.NotEqual(MqttClientPublishReasonCode.NotAuthorized, (await PublishAsync(clientB, Topics.FireEvents("town", "gw-b"))).ReasonCode);
        Assert.NotEqual(MqttClientPublishReasonCode.NotAuthorized, (await PublishAsync(aggregator, Topics.Command("town", "gw-a", CommandNames.Reset))).ReasonCode);

        await Eventually.WaitAsync(() => seen.Contains(Topics.FireEvents("town", "gw-b")) && toA.Contains(Topics.Command("town", "gw-a", CommandNames.Reset)), TimeSpan.FromSeconds(10), "the allowed messages to arrive");
        Assert.DoesNotContain(Topics.FireEvents("town", "gw-a"), seen);
        Assert.DoesNotContain(Topics.Command("town", "gw-a", CommandNames.Silence), toA);
    }

    [Fact]
    public async Task RevokedExpiredAndForeignCertificatesAndPlainTcpAreRefused()
    {
        var revoked = await _site.AddNodeAsync("gw-revoked");
        await _site.RevokeAsync("gw-revoked"); // before the start: Mosquitto reads the list only then
        using var foreignSite = await TrustSite.CreateAsync("town");
        var foreign = await foreignSite.AddNodeAsync("gw-foreign");
        var good = await _site.AddNodeAsync("gw-good");

        // Expired a few minutes ago: issued by the site authority from its first moment, for one minute.
        var authority = new SiteAuthority(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(_site.Authority, _site.File("ca.key")));
        using var expired = authority.IssueClient("gw-expired", "town", new DateTimeOffset(authority.Certificate.NotBefore), TimeSpan.FromMinutes(1));
        var expiredDir = Eventually.TempDirectory("edgewatch-expired");
        File.WriteAllText(Path.Combine(expiredDir, "node.crt"), expired.ExportCertificatePem());
        using (var expiredKey = System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions.GetECDsaPrivateKey(expired)!)
        {
            File.WriteAllText(Path.Combine(expiredDir, "node.key"), expiredKey.ExportPkcs8PrivateKeyPem());
        }

        await _broker.StartAsync();
        Assert.True(await RefusedAsync(Options(_broker.Port, _site.Authority, revoked.Certificate, revoked.Key, revoked.Id)), "revoked");
        Assert.True(await RefusedAsync(Options(_broker.Port, _site.Authority, foreign.Certificate, foreign.Key, foreign.Id)), "foreign");
        Assert.True(await RefusedAsync(Options(_broker.Port, _site.Authority, Path.Combine(expiredDir, "node.crt"), Path.Combine(expiredDir, "node.key"), "gw-expired")), "expired");
        var plain = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithClientId("gw-good").WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(5)).Build();
        Assert.True(await RefusedAsync(plain), "plain TCP");

        using var accepted = await ConnectNodeAsync(good);
        Assert.True(accepted.IsConnected);
    }

    [Fact]
    public async Task TheAggregatorConnectsWithItsOwnIdentityAndRenewsAGatewaysCertificateThroughMosquitto()
    {
        var node = await _site.AddNodeAsync("gw-g1", days: 20);
        var original = X509Certificate2.CreateFromPem(File.ReadAllText(node.Certificate)).SerialNumber;
        await _broker.StartAsync();
        var (certificate, key) = _site.Aggregator;
        await using var cloud = await CloudRig.StartAsync(externalBrokerPort: _broker.Port, extra: new Dictionary<string, string?>
        {
            ["Broker:CaCertificate"] = _site.Authority,
            ["Broker:ClientCertificate"] = certificate,
            ["Broker:ClientKey"] = key,
            ["Broker:SiteRecord"] = _site.File("site.json"),
            ["Broker:Renewal:Authority"] = _site.Authority,
            ["Broker:Renewal:AuthorityKey"] = _site.File("ca.key"),
        });
        await Eventually.WaitAsync(() => cloud.App.Services.GetRequiredService<EdgeWatch.Cloud.Ingest.MqttIngest>().Connected, TimeSpan.FromSeconds(15), "the aggregator to connect to Mosquitto as CN=aggregator");

        var settings = node.AppliedTo(GatewayHost.SimulatedSettings("town", "gw-g1", "g1", _broker.Port, Eventually.TempDirectory("edgewatch-mosquitto-renewal")));
        settings["Mqtt:RenewCheckInterval"] = "00:00:01";
        using var gateway = GatewayHost.Create([], settings, b => b.SetMinimumLevel(LogLevel.Warning));
        await gateway.StartAsync();
        var uplink = gateway.Services.GetRequiredService<MqttUplink>();
        await Eventually.WaitAsync(
            () => X509Certificate2.CreateFromPem(File.ReadAllText(node.Certificate)).SerialNumber != original && uplink.Connected && uplink.ClientCertificateExpires > DateTimeOffset.UtcNow.AddDays(300),
            TimeSpan.FromSeconds(30),
            "the gateway to renew through Mosquitto and reconnect with the new certificate");

        gateway.Services.GetRequiredService<SimulatedBoard>().Trip("h2.smoke");
        await Eventually.WaitAsync(() => cloud.StoredSeqs("gw-g1").Count > 0, TimeSpan.FromSeconds(15), "the fire alarm through Mosquitto on the renewed identity");
        await gateway.StopAsync();
    }
}
