using System.Diagnostics;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeWatch.Benchmarks;

/// <summary>Publish-to-receive time of a QoS 1 message through a broker on loopback: the floor under any end-to-end figure.</summary>
internal static class MqttFloor
{
    public static async Task<List<double>> MeasureAsync(int port, int count)
    {
        var factory = new MqttClientFactory();
        using var sub = factory.CreateMqttClient();
        using var pub = factory.CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500);
        await sub.ConnectAsync(options.WithClientId("bench-floor-sub").Build());
        await pub.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("bench-floor-pub").Build());
        TaskCompletionSource<long>? pending = null;
        sub.ApplicationMessageReceivedAsync += _ =>
        {
            pending?.TrySetResult(Stopwatch.GetTimestamp());
            return Task.CompletedTask;
        };
        await sub.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("bench/floor", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var results = new List<double>();
        var payload = new byte[400];
        for (var i = 0; i < count; i++)
        {
            pending = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var start = Stopwatch.GetTimestamp();
            await pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("bench/floor").WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            var received = await pending.Task.WaitAsync(TimeSpan.FromSeconds(5));
            results.Add(Percentiles.Ms(received - start));
        }

        return results;
    }
}
