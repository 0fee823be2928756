using System.Diagnostics;
using System.Globalization;
using EdgeWatch.Cloud.Broker;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeWatch.Cloud.Tests;

/// <summary>
/// The gateway published self-contained for linux-arm64 runs <c>selftest --yes</c> under qemu-user (Debian's
/// qemu-user-static, an arm64 Debian sysroot), on the simulated board, against the embedded broker's mutual-TLS
/// listener with a node made by the provisioning tool: the Pi's build, TLS included, passes its self-test.
/// test.sh publishes it and makes the sysroot.
/// </summary>
[Trait("Category", "Integration")]
public sealed class Arm64SelftestTests
{
    private static string Required(string variable, string what) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } path && Path.Exists(path)
            ? path
            : throw new InvalidOperationException($"{variable} does not name {what}: run ./test.sh, which makes it");

    [Fact]
    public async Task TheArm64GatewayPassesItsSelftestUnderQemuOverTls()
    {
        var gateway = Path.Combine(Required("EDGEWATCH_ARM64_GATEWAY", "the published linux-arm64 gateway"), "EdgeWatch.Gateway");
        var sysroot = Required("EDGEWATCH_ARM64_SYSROOT", "the arm64 sysroot");
        Assert.True(File.Exists(gateway), $"{gateway} is missing: run ./test.sh, which publishes it");

        using var site = await TrustSite.CreateAsync("town");
        var node = await site.AddNodeAsync("gw-arm");
        var port = Eventually.FreePort();
        await using var broker = new EmbeddedBroker(
            Options.Create(new BrokerOptions
            {
                Host = "127.0.0.1",
                Port = 0,
                Tls = new BrokerTlsOptions { Enabled = true, Host = "127.0.0.1", Port = port, Certificate = site.BrokerCertificate, Key = site.BrokerKey, Authority = site.Authority, RevocationList = site.RevocationList },
            }),
            NullLogger<EmbeddedBroker>.Instance);
        await broker.StartAsync(default);
        using var watch = new MqttClientFactory().CreateMqttClient();
        var reports = new System.Collections.Concurrent.ConcurrentQueue<string>();
        watch.ApplicationMessageReceivedAsync += e =>
        {
            reports.Enqueue(e.ApplicationMessage.ConvertPayloadToString());
            return Task.CompletedTask;
        };
        await watch.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("watch").WithProtocolVersion(MqttProtocolVersion.V500).Build());
        await watch.SubscribeAsync(Protocol.Topics.Selftest("town", "gw-arm"), MqttQualityOfServiceLevel.AtLeastOnce);

        var psi = new ProcessStartInfo("qemu-aarch64-static", ["-L", sysroot, gateway, "selftest", "--yes", "--pulse", "0.01",
            "--Gateway:Site=town", "--Gateway:Id=gw-arm", "--Gateway:Group=g1",
            $"--Uplink:StateDirectory={Eventually.TempDirectory("edgewatch-arm64")}",
            "--Mqtt:Host=127.0.0.1", $"--Mqtt:Port={port.ToString(CultureInfo.InvariantCulture)}", "--Mqtt:UseTls=true",
            $"--Mqtt:CaCertificate={node.Authority}", $"--Mqtt:ClientCertificate={node.Certificate}", $"--Mqtt:ClientKey={node.Key}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var printed = await output + await error;
        Assert.True(process.ExitCode == 0, printed);
        Assert.Contains("Self-test PASSED", printed, StringComparison.Ordinal);
        Assert.Contains("as CN=gw-arm, O=town", printed, StringComparison.Ordinal);
        await Eventually.WaitAsync(() => !reports.IsEmpty, TimeSpan.FromSeconds(10), "the arm64 node's commissioning record");
        Assert.Contains("\"passed\":true", reports.First(), StringComparison.Ordinal);
    }
}
