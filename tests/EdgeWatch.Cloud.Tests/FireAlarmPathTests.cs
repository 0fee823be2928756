using System.Globalization;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Hardware.Simulation;
using EdgeWatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeWatch.Cloud.Tests;

public class FireAlarmPathTests
{
    private static Dictionary<string, string?> GatewaySettings(int brokerPort)
    {
        var settings = GatewayHost.SimulatedSettings("town", "gw-g1", "g1", brokerPort, Path.Combine(Path.GetTempPath(), "edgewatch-test-" + Guid.NewGuid().ToString("N")));
        settings["Mqtt:ReconnectMinDelay"] = "00:00:00.100";
        settings["Mqtt:ReconnectMaxDelay"] = "00:00:01";
        return settings;
    }

    private static void Quiet(ILoggingBuilder b) => b.SetMinimumLevel(LogLevel.Warning);

    [Fact]
    [Trait("Category", "Integration")]
    public async Task TrippedDetectorOnSimulatedBoardReachesTheWebhookThroughTheBroker()
    {
        await using var cloud = await CloudRig.StartAsync();
        using var gateway = GatewayHost.Create([], GatewaySettings(cloud.BrokerPort), Quiet);
        await gateway.StartAsync();
        var board = gateway.Services.GetRequiredService<SimulatedBoard>();
        var engine = gateway.Services.GetRequiredService<FireSafetyEngine>();

        board.Trip("h6.smoke");
        await Eventually.WaitAsync(() => engine.State == GroupState.Alarm, TimeSpan.FromSeconds(5), "the gateway to alarm");
        Assert.All(board.Profile.Channels.Where(c => c.Kind == Hardware.Profiles.ChannelKind.Siren), s => Assert.NotNull(board.LastSwitchedOn(s.Id)));

        await Eventually.WaitAsync(() => !cloud.Webhook.Received.IsEmpty, TimeSpan.FromSeconds(10), "the webhook POST");
        var n = Assert.Single(cloud.Webhook.Received);
        Assert.Equal("g1", n.Group);
        Assert.Equal("h6", n.Household);
        Assert.Equal("h6.smoke", n.Channel);
        Assert.Equal(16, n.Members.Count);

        var stored = await cloud.Store.ListAsync(10, "alarm", "g1", default);
        Assert.Equal(n.EventId, Assert.Single(stored).Id);
        await gateway.StopAsync();
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task CommandOverMqttSilencesTheGroupAndAnswersOnTheResponseTopic()
    {
        await using var cloud = await CloudRig.StartAsync();
        using var gateway = GatewayHost.Create([], GatewaySettings(cloud.BrokerPort), Quiet);
        await gateway.StartAsync();
        var board = gateway.Services.GetRequiredService<SimulatedBoard>();
        var engine = gateway.Services.GetRequiredService<FireSafetyEngine>();
        board.Trip("h1.call-point.outside");
        await Eventually.WaitAsync(() => engine.State == GroupState.Alarm, TimeSpan.FromSeconds(5), "the alarm");

        using var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", cloud.BrokerPort).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
        var responses = new System.Collections.Concurrent.ConcurrentQueue<(string Payload, byte[] Correlation)>();
        client.ApplicationMessageReceivedAsync += e =>
        {
            responses.Enqueue((System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload)), e.ApplicationMessage.CorrelationData));
            return Task.CompletedTask;
        };
        await client.SubscribeAsync(new MQTTnet.MqttClientSubscribeOptionsBuilder().WithTopicFilter("test/replies").Build());
        await Eventually.WaitAsync(() => gateway.Services.GetRequiredService<Gateway.Uplink.MqttUplink>().Connected, TimeSpan.FromSeconds(5), "the uplink");
        await client.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder()
            .WithTopic(Topics.Command("town", "gw-g1", CommandNames.Silence))
            .WithPayload(ProtocolJson.Serialize(new CommandRequest { Source = "duty-officer" }))
            .WithResponseTopic("test/replies")
            .WithCorrelationData([1, 2, 3])
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        await Eventually.WaitAsync(() => !responses.IsEmpty, TimeSpan.FromSeconds(5), "the command response");
        Assert.True(responses.TryPeek(out var reply));
        Assert.Contains("\"accepted\":true", reply.Payload);
        Assert.Equal([1, 2, 3], reply.Correlation);
        Assert.Equal(GroupState.Silenced, engine.State);
        await gateway.StopAsync();
    }

    [Fact]
    public async Task GatewaySoundsSirensWithNoBrokerReachable()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 22, 0, 0, TimeSpan.Zero));
        // Nothing listens on this port: the uplink keeps failing, the engine must not care.
        using var gateway = GatewayHost.Create([], GatewaySettings(Eventually.FreePort()), Quiet, s => s.AddSingleton<TimeProvider>(time));
        await gateway.StartAsync();
        var board = gateway.Services.GetRequiredService<SimulatedBoard>();
        var engine = gateway.Services.GetRequiredService<FireSafetyEngine>();
        var outbox = gateway.Services.GetRequiredService<Gateway.Uplink.Outbox>();

        board.Trip("h2.call-point.inside");
        time.Advance(TimeSpan.FromMilliseconds(200));

        // The alarm clock thread acts on the advanced clock when it next runs: under load that is a moment later.
        await Eventually.WaitAsync(() => engine.State == GroupState.Alarm, TimeSpan.FromSeconds(10), "the engine to go into alarm");
        Assert.All(board.Profile.Channels.Where(c => c.Kind == Hardware.Profiles.ChannelKind.Siren), s => Assert.True(board.IsOn(s.Id)));
        // The alarm is written to disk by the gateway's writer thread and waits there for the network.
        await Eventually.WaitAsync(() => outbox.Backlog[0] == 1, TimeSpan.FromSeconds(5), "the alarm in the outbox");
        await gateway.StopAsync();
    }

    [Theory]
    [InlineData("FireSafety:HeatThresholdCelsius", "90")]
    [InlineData("Gateway:Id", "gw 1/#")]
    public void BadGatewayConfigurationStopsStartNamingTheKey(string key, string badValue)
    {
        var settings = GatewaySettings(1883);
        settings[key] = badValue;
        using var gateway = GatewayHost.Create([], settings, Quiet);
        var ex = Assert.ThrowsAny<OptionsValidationException>(() => gateway.StartAsync().GetAwaiter().GetResult());
        var failure = Assert.Single(ex.Failures);
        Assert.Contains(key, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void BadBoardProfileStopsStartNamingTheKey()
    {
        var settings = GatewaySettings(1883);
        settings["Hardware:Profile"] = "rpi9-imaginary";
        using var gateway = GatewayHost.Create([], settings, Quiet);
        var ex = Assert.ThrowsAny<OptionsValidationException>(() => gateway.StartAsync().GetAwaiter().GetResult());
        Assert.Contains(ex.Failures, f => f.Contains("Hardware:Profile", StringComparison.Ordinal));
    }
}
