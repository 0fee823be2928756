using System.Security.Cryptography.X509Certificates;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Hardware.Simulation;
using EdgeWatch.Mqtt.Trust;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Cloud.Tests;

/// <summary>
/// A node's certificate renewed over MQTT with no site visit: a gateway whose certificate has 20 days left sends a
/// signing request on its own topic through the aggregator's mutual-TLS broker, gets a certificate signed by the site
/// authority, installs it and reconnects with it; the site record holds the new serial, so revoking the node revokes it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes
[Trait("Category", "Integration")]
public sealed class CertificateRenewalTests
{
    /// <summary>A site made by the provisioning tool and an aggregator with its mutual-TLS broker (and renewal, if asked).</summary>
    private sealed record Rig(TrustSite Site, CloudRig Cloud, int TlsPort) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Cloud.DisposeAsync();
            Site.Dispose();
        }
    }

    private static async Task<Rig> StartAsync(bool renewal)
    {
        var site = await TrustSite.CreateAsync("town");
        var tlsPort = Eventually.FreePort();
        var extra = site.EmbeddedBrokerTls(tlsPort);
        extra["Broker:SiteRecord"] = site.File("site.json");
        if (renewal)
        {
            extra["Broker:Renewal:Authority"] = site.Authority;
            extra["Broker:Renewal:AuthorityKey"] = site.File("ca.key");
        }

        return new Rig(site, await CloudRig.StartAsync(extra: extra), tlsPort);
    }

    private static Dictionary<string, string?> GatewaySettings(NodeBundleFiles node, int tlsPort)
    {
        var settings = node.AppliedTo(GatewayHost.SimulatedSettings("town", node.Id, "g1", tlsPort, Eventually.TempDirectory("edgewatch-renewal")));
        settings["Mqtt:RenewCheckInterval"] = "00:00:01";
        return settings;
    }

    private static SiteRecord Record(TrustSite site) => SiteRecord.Read(site.File("site.json"));

    private static string Serial(string certificate) => X509Certificate2.CreateFromPem(File.ReadAllText(certificate)).SerialNumber;

    [Fact]
    public async Task AGatewayWhoseCertificateNearsExpiryIsRenewedOverMqttAndReconnectsWithTheNewOne()
    {
        await using var rig = await StartAsync(renewal: true);
        var (site, cloud, tlsPort) = rig;
        var node = await site.AddNodeAsync("gw-g1", days: 20);
        var original = Serial(node.Certificate);
        using var gateway = GatewayHost.Create([], GatewaySettings(node, tlsPort), b => b.SetMinimumLevel(LogLevel.Warning));
        await gateway.StartAsync();
        var uplink = gateway.Services.GetRequiredService<MqttUplink>();

        // Renewed: a new certificate in place of the old, and the uplink connected again presenting it.
        await Eventually.WaitAsync(
            () => Serial(node.Certificate) != original && uplink.Connected && uplink.ClientCertificateExpires > DateTimeOffset.UtcNow.AddDays(300),
            TimeSpan.FromSeconds(30),
            "the gateway to renew its certificate and reconnect with it");
        using var renewed = X509Certificate2.CreateFromPemFile(node.Certificate, node.Key); // the new key is the new certificate's
        Assert.Equal("gw-g1", CertificateCheck.Identity(renewed));
        Assert.Equal("town", CertificateCheck.Site(renewed));
        using var authority = X509Certificate2.CreateFromPem(File.ReadAllText(site.Authority));
        Assert.Null(CertificateCheck.Problem(renewed, authority, RevocationList.None, DateTimeOffset.UtcNow));
        Assert.InRange(renewed.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(364), DateTime.UtcNow.AddDays(366)); // Broker:Renewal:Lifetime
        Assert.True((File.GetUnixFileMode(node.Key) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) == 0, "the new key is readable by its owner only");

        var entry = Assert.Single(Record(site).Issued, i => i.Serial == renewed.SerialNumber);
        Assert.Equal(("gw-g1", "g1", "renewal"), (entry.Id, entry.Group, entry.Source));

        // No longer close to expiry: health is not degraded for it, and the alarm still goes through on the new identity.
        var health = await gateway.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, health.Entries["uplink"].Status);
        gateway.Services.GetRequiredService<SimulatedBoard>().Trip("h2.smoke");
        await Eventually.WaitAsync(() => cloud.StoredSeqs("gw-g1").Count > 0, TimeSpan.FromSeconds(15), "the fire alarm over the renewed identity");

        // Revoking the node revokes the renewed certificate too: it is in the revocation list, and the broker drops the node.
        await site.RevokeAsync("gw-g1");
        var crl = RevocationList.Read(site.RevocationList, authority);
        Assert.Contains(renewed.SerialNumber.ToUpperInvariant(), crl.Serials);
        Assert.Contains(original.ToUpperInvariant(), crl.Serials);
        await Eventually.WaitAsync(() => !uplink.Connected, TimeSpan.FromSeconds(15), "the broker to drop the revoked node");
        await gateway.StopAsync();
    }

    [Fact]
    public async Task AnAggregatorThatDoesNotRenewSaysSoAndTheOldCertificateStaysInPlace()
    {
        await using var rig = await StartAsync(renewal: false);
        var (site, cloud, tlsPort) = rig;
        var node = await site.AddNodeAsync("gw-g1", days: 20);
        var original = File.ReadAllText(node.Certificate);
        using var gateway = GatewayHost.Create([], GatewaySettings(node, tlsPort), b => b.SetMinimumLevel(LogLevel.Critical));
        await gateway.StartAsync();
        var renewal = gateway.Services.GetRequiredService<CertificateRenewal>();
        await Eventually.WaitAsync(() => renewal.LastError is not null, TimeSpan.FromSeconds(30), "the aggregator's refusal");
        Assert.Contains("does not renew certificates (Broker:Renewal:AuthorityKey is not set)", renewal.LastError, StringComparison.Ordinal);
        Assert.Equal(original, File.ReadAllText(node.Certificate));
        Assert.True(gateway.Services.GetRequiredService<MqttUplink>().Connected);

        var health = await gateway.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Degraded, health.Entries["uplink"].Status);
        Assert.Contains("was not renewed: the aggregator refused", health.Entries["uplink"].Description, StringComparison.Ordinal);
        await gateway.StopAsync();
    }

    [Fact]
    public async Task TheTechnicianRenewsACertificateThatIsNotDueYetWithForce()
    {
        await using var rig = await StartAsync(renewal: true);
        var (site, cloud, tlsPort) = rig;
        var node = await site.AddNodeAsync("gw-g1", days: 300);
        var original = Serial(node.Certificate);
        var settings = GatewaySettings(node, tlsPort);

        using var notDue = new StringWriter();
        Assert.Equal(0, await EdgeWatch.Gateway.Commissioning.CertRenewCommand.RunAsync(["renew"], notDue, settings));
        Assert.Contains("it renews by itself 45 days before expiry. --force renews it now.", notDue.ToString(), StringComparison.Ordinal);
        Assert.Equal(original, Serial(node.Certificate));

        using var forced = new StringWriter();
        var code = await EdgeWatch.Gateway.Commissioning.CertRenewCommand.RunAsync(["renew", "--force"], forced, settings);
        Assert.True(code == 0, forced.ToString());
        var renewed = Serial(node.Certificate);
        Assert.NotEqual(original, renewed);
        Assert.Contains($"Renewed the certificate of gw-g1: serial {renewed}", forced.ToString(), StringComparison.Ordinal);
        Assert.Contains(Record(site).Issued, i => i.Serial == renewed && i.Source == "renewal");

        using var again = new StringWriter(); // at once again: the aggregator's minimum interval
        Assert.Equal(1, await EdgeWatch.Gateway.Commissioning.CertRenewCommand.RunAsync(["renew", "--force"], again, settings));
        Assert.Contains("cert renew: not renewed: the aggregator refused the certificate request: 'gw-g1' was renewed at", again.ToString(), StringComparison.Ordinal);
        Assert.Equal(renewed, Serial(node.Certificate));

        using var usage = new StringWriter();
        Assert.Equal(2, await EdgeWatch.Gateway.Commissioning.CertRenewCommand.RunAsync(["renw"], usage, settings));
        Assert.StartsWith("usage: EdgeWatch.Gateway cert renew [--force]", usage.ToString(), StringComparison.Ordinal);
    }
}
