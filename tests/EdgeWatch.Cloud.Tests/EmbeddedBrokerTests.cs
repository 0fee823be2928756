using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using EdgeWatch.Cloud.Broker;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Hardware.Simulation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;

namespace EdgeWatch.Cloud.Tests;

public class EmbeddedBrokerTests
{
    private static async Task<EmbeddedBroker> StartBrokerAsync()
    {
        var broker = new EmbeddedBroker(Options.Create(new BrokerOptions { Mode = "embedded", Host = "127.0.0.1", Port = 0 }), NullLogger<EmbeddedBroker>.Instance);
        await broker.StartAsync(default);
        return broker;
    }

    /// <summary>
    /// An MQTT 3.1.1 CONNECT with an empty client id, written byte by byte (MQTT 3.1.1 §3.1); returns the CONNACK return
    /// code, or null when the broker closed the connection without one.
    /// </summary>
    private static async Task<int?> Connect311WithEmptyIdAsync(int port, bool cleanSession)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var stream = tcp.GetStream();
        byte flags = cleanSession ? (byte)0x02 : (byte)0x00;
        byte[] connect = [0x10, 12, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, flags, 0x00, 0x3C, 0x00, 0x00];
        await stream.WriteAsync(connect);
        var connack = new byte[4];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await stream.ReadAtLeastAsync(connack, connack.Length, throwOnEndOfStream: false, timeout.Token);
        if (read == 0)
        {
            return null;
        }

        Assert.Equal(connack.Length, read);
        Assert.Equal(0x20, connack[0]);
        Assert.Equal(2, connack[1]);
        return connack[3];
    }

    [Fact]
    public async Task Mqtt311ClientWithEmptyIdAndCleanSessionIsAccepted()
    {
        await using var broker = await StartBrokerAsync();
        Assert.Equal(0, await Connect311WithEmptyIdAsync(broker.Port, cleanSession: true));
    }

    [Fact]
    public async Task Mqtt311ClientWithEmptyIdAskingForAPersistentSessionIsRefusedAsIdentifierRejected()
    {
        await using var broker = await StartBrokerAsync();

        // 3.1.1 §3.1.3 [MQTT-3.1.3-8] asks for return code 0x02, "identifier rejected". MQTTnet's packet decoder
        // rejects such a CONNECT before the broker sees it ("CleanSession must be set if ClientId is empty") and closes
        // the connection without a CONNACK. Either way the client is refused and no session is made.
        var code = await Connect311WithEmptyIdAsync(broker.Port, cleanSession: false);
        Assert.True(code is null or 2, $"CONNACK return code {code}: a persistent session without a client id must be refused");
        Assert.Empty(await broker.Server!.GetSessionsAsync());
    }

    [Fact]
    public async Task Mqtt5ClientWithEmptyIdGetsAnAssignedClientIdentifier()
    {
        await using var broker = await StartBrokerAsync();
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("")
            .WithCleanStart()
            .Build();

        var result = await client.ConnectAsync(options);

        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.StartsWith(EmbeddedBroker.AssignedClientIdPrefix, result.AssignedClientIdentifier, StringComparison.Ordinal);
        Assert.True(result.AssignedClientIdentifier.Length > EmbeddedBroker.AssignedClientIdPrefix.Length);
        await client.DisconnectAsync();
    }

    [Theory]
    [Trait("Category", "Integration")]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task RealMosquittoSubWithoutAClientIdSeesAFireAlarm(string protocol)
    {
        const string MosquittoSub = "/usr/bin/mosquitto_sub";
        Assert.True(File.Exists(MosquittoSub), $"{MosquittoSub} is missing: run ./test.sh, which installs mosquitto-clients");
        await using var cloud = await CloudRig.StartAsync(groups: 1);

        // The README's watch command, as written, plus the protocol version.
        var psi = new ProcessStartInfo(MosquittoSub, ["-h", "127.0.0.1", "-p", cloud.BrokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "edgewatch/#", "-v", "-V", protocol])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var sub = Process.Start(psi)!;
        var lines = new StringBuilder();
        sub.OutputDataReceived += (_, e) => { lock (lines) { lines.AppendLine(e.Data); } };
        sub.ErrorDataReceived += (_, e) => { lock (lines) { lines.AppendLine("stderr: " + e.Data); } };
        sub.BeginOutputReadLine();
        sub.BeginErrorReadLine();
        string Lines() { lock (lines) { return lines.ToString(); } }

        try
        {
            var settings = GatewayHost.SimulatedSettings("town", "gw-g1", "g1", cloud.BrokerPort, Eventually.TempDirectory("edgewatch-sub"));
            using var gateway = GatewayHost.Create([], settings, b => b.SetMinimumLevel(LogLevel.Warning));
            await gateway.StartAsync();

            // The gateway's status (online) reaches the subscriber once both are connected; then trip a detector.
            var statusTopic = Protocol.Topics.Status("town", "gw-g1");
            var fireTopic = Protocol.Topics.FireEvents("town", "gw-g1");
            await Eventually.WaitAsync(() => Lines().Contains(statusTopic, StringComparison.Ordinal) || sub.HasExited, TimeSpan.FromSeconds(15), "mosquitto_sub to receive the gateway's messages");
            Assert.False(sub.HasExited, Lines());
            gateway.Services.GetRequiredService<SimulatedBoard>().Trip("h2.smoke");

            await Eventually.WaitAsync(
                () => Lines().Split('\n').Any(l => l.StartsWith(fireTopic + " ", StringComparison.Ordinal) && l.Contains("\"kind\":\"alarm\"", StringComparison.Ordinal) && l.Contains("h2.smoke", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(15),
                "mosquitto_sub to print the fire alarm");
            Assert.Equal(GroupState.Alarm, gateway.Services.GetRequiredService<FireSafetyEngine>().State);
            await gateway.StopAsync();
        }
        finally
        {
            if (!sub.HasExited)
            {
                sub.Kill();
            }

            await sub.WaitForExitAsync();
        }

        Assert.DoesNotContain("refused", Lines(), StringComparison.OrdinalIgnoreCase);
    }
}
