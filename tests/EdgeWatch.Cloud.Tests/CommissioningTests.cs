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
        await using var cloud = await CloudRig.StartAsync(extra: site.EmbeddedBrokerTls(tlsPort));

        var settings = node.AppliedTo(GatewayHost.SimulatedSettings("town", "gw-g1", "g1", tlsPort, Eventually.TempDirectory("edgewatch-selftest")));
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
        Assert.All(record.GetProperty("checks").EnumerateArray(), c => Assert.Contains(c.GetProperty("result").GetString(), new[] { "pass", "warn" })); // as asyncapi.yaml says
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
        var settings = node.AppliedTo(GatewayHost.SimulatedSettings("town", "gw-g1", "g1", Eventually.FreePort(), Eventually.TempDirectory("edgewatch-selftest")), Path.Combine(node.Directory, "missing.key"));
        using var output = new StringWriter();
        var code = await SelftestCommand.RunAsync(["--yes", "--pulse", "0.01"], output, TextReader.Null, settings);
        Assert.Equal(1, code);
        Assert.Contains("missing.key is missing", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Self-test FAILED: 1 of", output.ToString(), StringComparison.Ordinal);
    }
}

/// <summary><c>node add</c> without <c>--offline</c> registers the node as its group's gateway through the aggregator's API.</summary>
[Trait("Category", "Integration")]
public sealed class NodeRegistrationTests
{
    private static async Task<(int Code, string Output, string Error)> ProvisionAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await EdgeWatch.Provisioning.ProvisioningCli.RunAsync(args, output, error, TimeProvider.System);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task ANodeAddedOnlineBecomesItsGroupsGatewayAndEveryRefusalSaysWhatToCheck()
    {
        using var site = await TrustSite.CreateAsync("town");
        await using var cloud = await CloudRig.StartAsync();
        using var admin = cloud.Http(CloudRig.AdminToken);
        var api = admin.BaseAddress!.ToString();
        string Out() => Path.Combine(Eventually.TempDirectory("edgewatch-online"), "bundle");

        var taken = await ProvisionAsync("node", "add", "--site", site.Directory, "--id", "gw-new", "--group", "g1", "--board", "rpi4-mcp23017", "--out", Out(), "--api", api, "--token", CloudRig.AdminToken);
        Assert.Equal(2, taken.Code);
        Assert.Contains("group 'g1' is served by gateway 'gw-g1'", taken.Error, StringComparison.Ordinal);

        var unknown = await ProvisionAsync("node", "add", "--site", site.Directory, "--id", "gw-new", "--group", "g99", "--board", "rpi4-mcp23017", "--out", Out(), "--api", api, "--token", CloudRig.AdminToken);
        Assert.Equal(2, unknown.Code);
        Assert.Contains("group 'g99' is not in the aggregator's registry", unknown.Error, StringComparison.Ordinal);

        var badToken = await ProvisionAsync("node", "add", "--site", site.Directory, "--id", "gw-new", "--group", "g1", "--board", "rpi4-mcp23017", "--out", Out(), "--api", api, "--token", "ew_not-a-token");
        Assert.Equal(2, badToken.Code);
        Assert.Contains("refused the token (401)", badToken.Error, StringComparison.Ordinal);

        var noApi = await ProvisionAsync("node", "add", "--site", site.Directory, "--id", "gw-new", "--group", "g1", "--board", "rpi4-mcp23017", "--out", Out());
        Assert.Equal(2, noApi.Code);
        Assert.Contains("--offline", noApi.Error, StringComparison.Ordinal);

        var bundle = Out();
        var added = await ProvisionAsync("node", "add", "--site", site.Directory, "--id", "gw-new", "--group", "g1", "--board", "rpi4-mcp23017", "--out", bundle, "--api", api, "--token", CloudRig.AdminToken, "--replace");
        Assert.True(added.Code == 0, added.Error);
        Assert.Contains("Registered 'gw-new' as the gateway of group 'g1'", added.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(bundle, "node.crt")));
        var group = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync("/api/registry/groups/g1")).RootElement;
        Assert.Equal("gw-new", group.GetProperty("gateway").GetString());
    }
}

/// <summary>The aggregator ignores a revoked gateway whichever broker carried its messages (an external Mosquitto reads its revocation list only at restart).</summary>
[Trait("Category", "Integration")]
public sealed class RevokedGatewayTests
{
    [Fact]
    public async Task EventsFromARevokedGatewayAreRejectedWithTheReasonAndNotStored()
    {
        using var site = await TrustSite.CreateAsync("town");
        await site.AddNodeAsync("gw-g1");
        await site.AddNodeAsync("gw-g2");
        await using var cloud = await CloudRig.StartAsync(extra: new Dictionary<string, string?> { ["Broker:SiteRecord"] = site.File("site.json") });

        await cloud.FireAsync(EventStoreTests.Alarm(gateway: "gw-g1", seq: 1));
        Assert.Contains(1L, cloud.StoredSeqs("gw-g1"));

        await site.RevokeAsync("gw-g1");
        long seq = 1;
        await Eventually.WaitAsync(
            () =>
            {
                seq++; // the record is looked at once a second: until then an alarm is still stored
                cloud.FireAsync(EventStoreTests.Alarm(gateway: "gw-g1", seq: seq)).GetAwaiter().GetResult();
                return !cloud.StoredSeqs("gw-g1").Contains(seq);
            },
            TimeSpan.FromSeconds(10),
            "the revoked gateway's alarm to be refused");
        await cloud.FireAsync(EventStoreTests.Alarm(gateway: "gw-g1", seq: 100));
        Assert.DoesNotContain(100L, cloud.StoredSeqs("gw-g1"));
        Assert.Contains(await cloud.Store.ListRejectedAsync(10, default), r => r.Reason.Contains("gateway 'gw-g1' is revoked", StringComparison.Ordinal));

        await cloud.FireAsync(EventStoreTests.Alarm(gateway: "gw-g2", group: "g2", seq: 101)); // another gateway is heard as before
        Assert.Contains(101L, cloud.StoredSeqs("gw-g2"));
    }
}
