using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using MQTTnet.Server;

namespace EdgeWatch.Cloud.Broker;

/// <summary>
/// MQTTnet's broker inside the aggregator, bound to loopback. With <c>Broker:Port</c> 0 it picks a free port and
/// reports it in <see cref="Port"/>. Does nothing when <c>Broker:Mode</c> is <c>external</c>.
/// </summary>
public sealed class EmbeddedBroker : IHostedService, IAsyncDisposable
{
    private readonly BrokerOptions _options;
    private readonly ILogger<EmbeddedBroker> _logger;
    private MqttServer? _server;

    public EmbeddedBroker(IOptions<BrokerOptions> options, ILogger<EmbeddedBroker> logger)
    {
        _options = options.Value;
        _logger = logger;
        Port = _options.Port == 0 && IsEmbedded ? FreeLoopbackPort() : _options.Port;
    }

    public bool IsEmbedded => _options.Mode == "embedded";

    /// <summary>The port clients connect to (the chosen free port when configured as 0).</summary>
    public int Port { get; }

    public string Host => _options.Host;

    public MqttServer? Server => _server;

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!IsEmbedded)
        {
            return;
        }

        var address = IPAddress.Parse(_options.Host);
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(address)
            .WithDefaultEndpointPort(Port)
            .WithPersistentSessions()
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
        await _server.StartAsync().ConfigureAwait(false);
        BrokerLog.Started(_logger, _options.Host, Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { IsStarted: true })
        {
            await _server.StopAsync(new MqttServerStopOptions()).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            _server.Dispose();
        }
    }
}

internal static partial class BrokerLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Embedded MQTT broker listening on mqtt://{Address}:{Port}")]
    public static partial void Started(ILogger logger, string address, int port);
}
