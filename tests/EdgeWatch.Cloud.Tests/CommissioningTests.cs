using System.Globalization;
using System.Text.Json;
using EdgeWatch.Gateway.Commissioning;
using EdgeWatch.Gateway.Hosting;

namespace EdgeWatch.Cloud.Tests;

/// <summary>
/// The on-site self-test end to end: a node made by the provisioning tool runs <c>selftest --yes</c> against the
/// aggregator's mutual-TLS broker, and its commissioning record is in the aggregator's API.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CommissioningTests
{
    [Fact]
    public async Task ASelftestOverTlsPassesAndItsCommissioningRecordIsInTheApi()
    {
        using var site = await TrustSite.CreateAsync("town");
        var node = await site.AddNodeAsync("gw-g1");
        var tlsPort = Eventually.FreePort();
        await using var cloud = await CloudRig.StartAsync(extra: new Dictionary<string, string?>
        {
            ["Broker:Tls:Enabled"] = "true",
            ["Broker:Tls:Host"] = "127.0.0.1",
            ["Broker:Tls:Port"] = tlsPort.ToString(CultureInfo.InvariantCulture),
            ["Broker:Tls:Certificate"] = site.BrokerCertificate,
            ["Broker:Tls:Key"] = site.BrokerKey,
            ["Broker:Tls:Authority"] = site.Authority,
            ["Broker:Tls:RevocationList"] = site.RevocationList,
        });

        var settings = GatewayHost.SimulatedSettings("town", "gw-g1", "g1", tlsPort, Eventually.TempDirectory("edgewatch-selftest"));
        settings["Mqtt:UseTls"] = "true";
        settings["Mqtt:CaCertificate"] = node.Authority;
        settings["Mqtt:ClientCertificate"] = node.Certificate;
        settings["Mqtt:ClientKey"] = node.Key;
        using var output = new StringWriter();
        var code = await SelftestCommand.RunAsync(["--yes", "--pulse", "0.01"], output, TextReader.Null, settings);
        var printed = output.ToString();
        Assert.True(code == 0, printed);
        Assert.Contains("Self-test PASSED", printed, StringComparison.Ordinal);
        Assert.Contains("siren h1.siren", printed, StringComparison.Ordinal);
        Assert.Contains("this report published on its own topic (ACL)", printed, StringComparison.Ordinal);

        using var http = cloud.Http(CloudRig.AdminToken);
        JsonElement records = default;
        await Eventually.WaitAsync(
            () =>
            {
                records = JsonDocument.Parse(http.GetStringAsync("/api/gateways/gw-g1/commissioning").GetAwaiter().GetResult()).RootElement;
                return records.GetArrayLength() > 0;
            },
            TimeSpan.FromSeconds(15),
            "the commissioning record to reach the aggregator");
        var record = records[0];
        Assert.True(record.GetProperty("passed").GetBoolean());
        var names = record.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("loop h1.smoke", names);
        Assert.Contains("siren h8.siren", names);
        Assert.Contains("clock", names);
        Assert.Contains("broker", names);

        using var anonymous = cloud.Http();
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/gateways/gw-g1/commissioning")).StatusCode);
    }

    [Fact]
    public async Task ASelftestWithoutItsKeyFailsTheBrokerCheckNamingTheFile()
    {
        using var site = await TrustSite.CreateAsync("town");
        var node = await site.AddNodeAsync("gw-g1");
        var settings = GatewayHost.SimulatedSettings("town", "gw-g1", "g1", Eventually.FreePort(), Eventually.TempDirectory("edgewatch-selftest"));
        settings["Mqtt:UseTls"] = "true";
        settings["Mqtt:CaCertificate"] = node.Authority;
        settings["Mqtt:ClientCertificate"] = node.Certificate;
        settings["Mqtt:ClientKey"] = Path.Combine(node.Directory, "missing.key");
        using var output = new StringWriter();
        var code = await SelftestCommand.RunAsync(["--yes", "--pulse", "0.01"], output, TextReader.Null, settings);
        Assert.Equal(1, code);
        Assert.Contains("missing.key is missing", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Self-test FAILED: 1 of", output.ToString(), StringComparison.Ordinal);
    }
}
