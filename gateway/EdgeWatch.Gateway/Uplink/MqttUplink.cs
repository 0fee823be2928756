using System.Buffers;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>
/// The gateway's one supervised MQTT connection. It connects with a retained Will (offline), publishes a retained
/// birth (online), subscribes to commands, then publishes queued events with QoS 1, fire lane first. An event leaves
/// the queue only when the broker acknowledges it with success. On any failure it backs off with decorrelated jitter
/// and reconnects from this loop; the disconnect handler only wakes the loop.
/// </summary>
public sealed class MqttUplink : BackgroundService
{
    private readonly EventLanes _queue;
    private readonly FireSafetyEngine _engine;
    private readonly MqttOptions _mqtt;
    private readonly GatewayOptions _gateway;
    private readonly TimeProvider _time;
    private readonly ILogger<MqttUplink> _logger;
    private FireEvent? _inflight;
    private MqttSupervisor? _supervisor;

    public MqttUplink(EventLanes queue, FireSafetyEngine engine, IOptions<MqttOptions> mqtt, IOptions<GatewayOptions> gateway, TimeProvider time, ILogger<MqttUplink> logger)
    {
        _queue = queue;
        _engine = engine;
        _mqtt = mqtt.Value;
        _gateway = gateway.Value;
        _time = time;
        _logger = logger;
    }

    public bool Connected => _supervisor?.IsConnected ?? false;
    public long Published { get; private set; }
    public string? LastError => _supervisor?.LastError;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_mqtt.Enabled)
        {
            UplinkLog.Disabled(_logger);
            return Task.CompletedTask;
        }

        _supervisor = new MqttSupervisor(
            new MqttSupervisorCallbacks
            {
                Options = BuildOptions,
                Connected = OnConnectedAsync,
                Session = PumpAsync,
                Message = (client, e) => OnCommandAsync(client, e, stoppingToken),
                Stopping = GoodbyeAsync,
                Failed = reason => UplinkLog.ConnectFailed(_logger, _mqtt.Host, _mqtt.Port, reason),
            },
            new ReconnectBackoff(_mqtt.ReconnectMinDelay, _mqtt.ReconnectMaxDelay),
            _time);
        return _supervisor.RunAsync(stoppingToken);
    }

    private MqttClientOptions BuildOptions()
    {
        var will = ProtocolJson.Serialize(new GatewayStatus { Gateway = _gateway.Id, Group = _gateway.Group, Online = false });
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_mqtt.Host, _mqtt.Port)
            .WithClientId(_mqtt.ClientId ?? $"gw-{_gateway.Site}-{_gateway.Id}")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(24 * 3600)
            .WithKeepAlivePeriod(_mqtt.KeepAlive)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(Topics.Status(_gateway.Site, _gateway.Id))
            .WithWillPayload(will)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (_mqtt.Username is not null)
        {
            builder.WithCredentials(_mqtt.Username, _mqtt.Password);
        }

        if (_mqtt.UseTls)
        {
            builder.WithTlsOptions(o => o.UseTls());
        }

        return builder.Build();
    }

    private async Task OnConnectedAsync(IMqttClient client, CancellationToken ct)
    {
        await client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(f => f.WithTopic(Topics.CommandFilter(_gateway.Site, _gateway.Id)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
                .Build(),
            ct).ConfigureAwait(false);

        await client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(Topics.Status(_gateway.Site, _gateway.Id))
                .WithPayload(ProtocolJson.Serialize(new GatewayStatus { Gateway = _gateway.Id, Group = _gateway.Group, Online = true, Since = _time.GetUtcNow() }))
                .WithRetainFlag()
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            ct).ConfigureAwait(false);
        UplinkLog.Connected(_logger, _mqtt.Host, _mqtt.Port);
    }

    private async Task PumpAsync(IMqttClient client, CancellationToken ct)
    {
        while (true)
        {
            var e = _inflight ?? await _queue.TakeAsync(ct).ConfigureAwait(false);
            _inflight = e;
            var topic = e.IsFireLane ? Topics.FireEvents(e.Site, e.Gateway) : Topics.TroubleEvents(e.Site, e.Gateway);
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(ProtocolJson.Serialize(e))
                .WithContentType("application/json")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            var result = await client.PublishAsync(message, ct).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                // A PUBACK with an error reason (for example 135, not authorized) is not a delivery.
                UplinkLog.Rejected(_logger, e.Seq, result.ReasonCode.ToString(), result.ReasonString);
                throw new InvalidOperationException($"broker rejected seq {e.Seq}: {result.ReasonCode} {result.ReasonString}");
            }

            _inflight = null;
            Published++;
        }
    }

    private async Task OnCommandAsync(IMqttClient client, MqttApplicationMessageReceivedEventArgs e, CancellationToken ct)
    {
        var msg = e.ApplicationMessage;
        var name = msg.Topic[(msg.Topic.LastIndexOf('/') + 1)..];
        CommandResult result;
        try
        {
            var request = ProtocolJson.DeserializeCommand(msg.Payload.ToArray());
            var source = $"mqtt:{request.Source ?? "unknown"}";
            result = name switch
            {
                CommandNames.Silence => _engine.Silence(source),
                CommandNames.Reset => _engine.Reset(source),
                CommandNames.SirenTest => _engine.StartSirenTest(request.Seconds is { } s and > 0 and <= 600 ? TimeSpan.FromSeconds(s) : null),
                _ => CommandResult.Refused($"unknown command '{name}'; known: {string.Join(", ", CommandNames.All)}"),
            };
        }
        catch (PayloadException ex)
        {
            result = CommandResult.Refused(ex.Message);
        }

        UplinkLog.Command(_logger, name, result.Accepted, result.Message);
        if (!string.IsNullOrEmpty(msg.ResponseTopic))
        {
            var response = new MqttApplicationMessageBuilder()
                .WithTopic(msg.ResponseTopic)
                .WithPayload(ProtocolJson.Serialize(new CommandResponse { Command = name, Accepted = result.Accepted, Message = result.Message }))
                .WithCorrelationData(msg.CorrelationData)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            try
            {
                await client.PublishAsync(response, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                UplinkLog.ConnectFailed(_logger, _mqtt.Host, _mqtt.Port, ex.Message);
            }
        }
    }

    private async Task GoodbyeAsync(IMqttClient client)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.PublishAsync(
                new MqttApplicationMessageBuilder()
                    .WithTopic(Topics.Status(_gateway.Site, _gateway.Id))
                    .WithPayload(ProtocolJson.Serialize(new GatewayStatus { Gateway = _gateway.Id, Group = _gateway.Group, Online = false, Since = _time.GetUtcNow() }))
                    .WithRetainFlag()
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(),
                timeout.Token).ConfigureAwait(false);
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            UplinkLog.ConnectFailed(_logger, _mqtt.Host, _mqtt.Port, ex.Message);
        }
    }
}

internal static partial class UplinkLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "MQTT connected to {Host}:{Port}")]
    public static partial void Connected(ILogger logger, string host, int port);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "MQTT connection to {Host}:{Port}: {Reason}; fire safety continues locally, reconnecting with backoff")]
    public static partial void ConnectFailed(ILogger logger, string host, int port, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Broker rejected event seq {Seq}: {Reason} {Detail}; keeping it for retry")]
    public static partial void Rejected(ILogger logger, long seq, string reason, string? detail);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Command {Command}: accepted {Accepted}, {Message}")]
    public static partial void Command(ILogger logger, string command, bool accepted, string message);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "MQTT uplink disabled by configuration (Mqtt:Enabled=false); events are only logged locally")]
    public static partial void Disabled(ILogger logger);
}
