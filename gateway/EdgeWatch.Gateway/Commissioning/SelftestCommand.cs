using System.Diagnostics;
using System.Globalization;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Motion;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Hardware;
using EdgeWatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeWatch.Gateway.Commissioning;

/// <summary>
/// <c>selftest [--yes] [--pulse SECONDS]</c>: the on-site self-test of a node, with its settings (<c>/etc/edgewatch</c>).
/// It reads every input, pulses each siren and checks its feedback (asking the technician whether it sounded, unless
/// <c>--yes</c>), grabs a frame from each camera, checks the clock and the TLS connection to the broker, prints a
/// pass/fail table and publishes it on its own <c>selftest</c> topic as the node's commissioning record (that publish
/// is also the test of its ACL). Run it with the gateway service stopped: it drives the sirens and takes the node's
/// broker session. Exit 0 when nothing failed, 1 when something did, 2 for bad settings.
/// </summary>
public static class SelftestCommand
{
    public const string Verb = "selftest";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextReader input, IDictionary<string, string?>? settings = null)
    {
        var yes = args.Contains("--yes");
        var pulse = TimeSpan.FromSeconds(1);
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--yes")
            {
                continue;
            }

            if (args[i] == "--pulse")
            {
                if (i + 1 >= args.Length || !double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var s) || s is <= 0 or > 30)
                {
                    await output.WriteLineAsync("selftest: --pulse takes seconds, 0–30 (a siren sounds that long)").ConfigureAwait(false);
                    return 2;
                }

                pulse = TimeSpan.FromSeconds(s);
                i++;
                continue;
            }

            rest.Add(args[i]);
        }

        return await NodeCommandHost.RunAsync(Verb, [.. rest], settings, LogLevel.Warning, output, services => RunAsync(services, yes, pulse, output, input)).ConfigureAwait(false);
    }

    private static async Task<int> RunAsync(IServiceProvider services, bool yes, TimeSpan pulse, TextWriter output, TextReader input)
    {
        var gateway = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var mqtt = services.GetRequiredService<IOptions<MqttOptions>>().Value;
        var cameras = services.GetRequiredService<IOptions<CamerasOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        var board = services.GetRequiredService<Board>();
        await output.WriteLineAsync($"EdgeWatch self-test of {gateway.Site}/{gateway.Id} (group {gateway.Group}), board {board.Profile.Name}").ConfigureAwait(false);

        var checks = new List<SelftestCheck>();
        checks.AddRange(SelftestChecks.Inputs(board));
        checks.AddRange(await SelftestChecks.SirensAsync(board, pulse, yes, output, input, time).ConfigureAwait(false));
        foreach (var camera in cameras.Items)
        {
            checks.Add(await SelftestChecks.CameraAsync(camera).ConfigureAwait(false));
        }

        checks.Add(SelftestChecks.Clock(time.GetUtcNow()));
        var brokerAt = checks.Count;
        checks.Add(new SelftestCheck("broker", SelftestResult.Pass, "(checked next)"));
        checks[brokerAt] = await PublishAsync(checks, brokerAt, gateway, mqtt, time).ConfigureAwait(false);

        var width = checks.Max(c => c.Name.Length);
        foreach (var check in checks)
        {
            await output.WriteLineAsync($"{check.Name.PadRight(width)}  {Word(check.Result)}  {check.Detail}").ConfigureAwait(false);
        }

        var failed = checks.Count(c => c.Result == SelftestResult.Fail);
        await output.WriteLineAsync(failed == 0 ? "Self-test PASSED." : $"Self-test FAILED: {failed} of {checks.Count} checks.").ConfigureAwait(false);
        return failed == 0 ? 0 : 1;
    }

    private static string Word(SelftestResult result) => result switch
    {
        SelftestResult.Pass => "pass",
        SelftestResult.Warn => "WARN",
        _ => "FAIL",
    };

    /// <summary>
    /// Connects as the node (over TLS with its bundle's files) and publishes the report on its own selftest topic:
    /// the ACL test and the upload of the commissioning record in one.
    /// </summary>
    private static async Task<SelftestCheck> PublishAsync(List<SelftestCheck> checks, int brokerAt, GatewayOptions gateway, MqttOptions mqtt, TimeProvider time)
    {
        if (!mqtt.Enabled)
        {
            return new SelftestCheck("broker", SelftestResult.Warn, "not checked: Mqtt:Enabled is false (a local-only node; no commissioning record is uploaded)");
        }

        string identity;
        MqttClientOptions options;
        try
        {
            var builder = MqttTlsFiles.NodeOptions(mqtt, gateway, time.GetUtcNow(), out var client);
            identity = !mqtt.UseTls ? "without TLS" : client is null ? "over TLS" : $"over TLS as {client.Subject}, valid until {client.NotAfter.ToUniversalTime():yyyy-MM-dd}";
            options = builder.Build();
        }
        catch (InvalidOperationException ex)
        {
            return new SelftestCheck("broker", SelftestResult.Fail, ex.Message);
        }

        using var connection = new MqttClientFactory().CreateMqttClient();
        try
        {
            var connected = await connection.ConnectAsync(options).ConfigureAwait(false);
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
            {
                return new SelftestCheck("broker", SelftestResult.Fail, $"{mqtt.Host}:{mqtt.Port} refused the node {identity}: {connected.ResultCode} {connected.ReasonString}");
            }

            var passed = new SelftestCheck("broker", SelftestResult.Pass, $"{mqtt.Host}:{mqtt.Port} {identity}; this report published on its own topic (ACL)");
            checks[brokerAt] = passed;
            var report = new SelftestReport
            {
                Site = gateway.Site,
                Gateway = gateway.Id,
                At = time.GetUtcNow(),
                Passed = checks.All(c => c.Result != SelftestResult.Fail),
                Checks = [.. checks],
            };
            var published = await connection.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(Topics.Selftest(gateway.Site, gateway.Id))
                .WithPayload(ProtocolJson.Serialize(report))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag()
                .Build()).ConfigureAwait(false);
            await connection.DisconnectAsync().ConfigureAwait(false);
            return published.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers
                ? passed
                : new SelftestCheck("broker", SelftestResult.Fail, $"{mqtt.Host}:{mqtt.Port} {identity}, but the broker refused a publish on the node's own topic ({(int)published.ReasonCode} {published.ReasonCode}): its ACL does not let this node publish as itself (is the certificate's site '{gateway.Site}'?)");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new SelftestCheck("broker", SelftestResult.Fail, mqtt.UseTls ? MqttTlsFiles.Explain(mqtt, ex.Message) : $"{mqtt.Host}:{mqtt.Port}: {ex.Message}");
        }
    }
}
