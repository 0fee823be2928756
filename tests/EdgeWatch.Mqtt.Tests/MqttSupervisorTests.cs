using System.Net;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Server;

namespace EdgeWatch.Mqtt.Tests;

[Trait("Category", "Integration")]
public class MqttSupervisorTests
{
    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static MqttServer Broker(int port) => new MqttServerFactory().CreateMqttServer(
        new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(port).Build());

    private static async Task Until(Func<bool> condition, string what)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15), $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task ReconnectsFromItsOwnLoopAfterTheBrokerRestarts()
    {
        var port = FreePort();
        var connects = 0;
        var failures = 0;
        var supervisor = new MqttSupervisor(
            new MqttSupervisorCallbacks
            {
                Options = () => new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithTimeout(TimeSpan.FromSeconds(2)).Build(),
                Connected = (_, _) => { Interlocked.Increment(ref connects); return Task.CompletedTask; },
                Session = (_, lost) => Task.Delay(Timeout.Infinite, lost),
                Failed = _ => Interlocked.Increment(ref failures),
            },
            new ReconnectBackoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)),
            TimeProvider.System);
        using var stop = new CancellationTokenSource();

        // No broker yet: the supervisor keeps trying.
        var run = supervisor.RunAsync(stop.Token);
        await Until(() => Volatile.Read(ref failures) >= 2, "failed attempts without a broker");
        Assert.False(supervisor.IsConnected);

        using (var broker = Broker(port))
        {
            await broker.StartAsync();
            await Until(() => supervisor.IsConnected, "the first connection");
            await broker.StopAsync(new MqttServerStopOptions());
        }

        await Until(() => !supervisor.IsConnected, "the loss to be noticed");
        using (var broker = Broker(port))
        {
            await broker.StartAsync();
            await Until(() => supervisor.IsConnected && Volatile.Read(ref connects) == 2, "the reconnection");
            stop.Cancel();
            await run;
        }

        Assert.False(supervisor.IsConnected);
    }
}
