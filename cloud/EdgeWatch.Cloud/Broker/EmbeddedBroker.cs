using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using System.Reflection;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
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
    private readonly TimeProvider _time;
    private MqttServer? _server;
    private BrokerTrust? _trust;
    private ITimer? _revocationWatch;

    public EmbeddedBroker(IOptions<BrokerOptions> options, ILogger<EmbeddedBroker> logger, TimeProvider? time = null)
    {
        _options = options.Value;
        _logger = logger;
        _time = time ?? TimeProvider.System;
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

        var address = _options.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(_options.Host);
        var builder = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(address)
            .WithDefaultEndpointPort(Port)
            .WithPersistentSessions();
        if (_options.Tls.Enabled)
        {
            _trust = new BrokerTrust(_options.Tls, _time, _logger);
            builder.WithEncryptedEndpoint()
                .WithEncryptedEndpointBoundIPAddress(IPAddress.Parse(_options.Tls.Host))
                .WithEncryptedEndpointPort(_options.Tls.Port)
                .WithEncryptionCertificate(_trust.ServerCertificate)
                .WithEncryptionSslProtocol(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13)
                .WithClientCertificate(_trust.AcceptCertificate, true);
        }

        _server = new MqttServerFactory().CreateMqttServer(builder.Build());
        _server.ValidatingConnectionAsync += AssignClientIdentifier;
        if (_trust is { } trust)
        {
            var server = _server;
            _server.ValidatingConnectionAsync += trust.ValidateConnectionAsync;
            _server.InterceptingPublishAsync += trust.InterceptPublishAsync;
            _server.InterceptingSubscriptionAsync += trust.InterceptSubscriptionAsync;
            _server.ClientDisconnectedAsync += trust.ForgetAsync;
            _revocationWatch = _time.CreateTimer(_ => _ = trust.DropRevokedAsync(server), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }

        await _server.StartAsync().ConfigureAwait(false);
        BrokerLog.Started(_logger, _options.Host, Port);
        if (_options.Tls.Enabled)
        {
            BrokerLog.TlsStarted(_logger, _options.Tls.Host, _options.Tls.Port);
        }
    }

    /// <summary>
    /// Standard clients (mosquitto_sub, mosquitto_pub) connect without a client id. MQTT 5 (§3.1.3.1) has the server
    /// assign one and return it in CONNACK (Assigned Client Identifier); MQTT 3.1.1 (§3.1.3.1) lets the server accept
    /// one when the session is clean. A 3.1.1 client asking for a persistent session without an id is refused
    /// (identifier rejected), as Mosquitto does.
    /// </summary>
    private Task AssignClientIdentifier(ValidatingConnectionEventArgs e)
    {
        if (!string.IsNullOrEmpty(e.ClientId) || e.IsSecureConnection) // a TLS client's id is its certificate's name
        {
            return Task.CompletedTask;
        }

        var assigned = AssignedClientIdPrefix + Guid.NewGuid().ToString("N");
        if (e.ProtocolVersion == MqttProtocolVersion.V500)
        {
            e.AssignedClientIdentifier = assigned;
        }
        else if (e.CleanSession == true)
        {
            // MQTTnet assigns ids for MQTT 5 only; for 3.1.1 the id goes into the CONNECT packet itself.
            ConnectPacketOf(e).ClientId = assigned;
        }
        else
        {
            e.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
        }

        return Task.CompletedTask;
    }

    private static readonly FieldInfo ConnectPacketField =
        typeof(ValidatingConnectionEventArgs).GetFields(BindingFlags.Instance | BindingFlags.NonPublic).SingleOrDefault(f => f.FieldType == typeof(MqttConnectPacket))
        ?? throw new MissingFieldException(nameof(ValidatingConnectionEventArgs), nameof(MqttConnectPacket));

    private static MqttConnectPacket ConnectPacketOf(ValidatingConnectionEventArgs e) => (MqttConnectPacket)ConnectPacketField.GetValue(e)!;

    /// <summary>Prefix of the ids the broker assigns to clients that connect without one.</summary>
    public const string AssignedClientIdPrefix = "auto-";

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_revocationWatch is not null)
        {
            await _revocationWatch.DisposeAsync().ConfigureAwait(false);
        }

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

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Embedded MQTT broker listening for gateways on mqtts://{Address}:{Port} (mutual TLS)")]
    public static partial void TlsStarted(ILogger logger, string address, int port);
}
