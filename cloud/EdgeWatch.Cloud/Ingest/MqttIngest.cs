using System.Buffers;
using System.Text;
using EdgeWatch.Cloud.Broker;
using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Storage;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeWatch.Cloud.Ingest;

/// <summary>
/// The aggregator's one supervised MQTT connection (to the embedded broker or an external one). Every event is
/// validated, checked against its topic, stored idempotently, and only then acknowledged; a newly stored alarm is
/// handed to the notifier. Bad payloads are stored as rejected with the reason.
/// </summary>
public sealed class MqttIngest : BackgroundService
{
    private readonly EmbeddedBroker _broker;
    private readonly BrokerOptions _options;
    private readonly EventStore _store;
    private readonly WebhookNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly ILogger<MqttIngest> _logger;
    private MqttSupervisor? _supervisor;

    public MqttIngest(EmbeddedBroker broker, IOptions<BrokerOptions> options, EventStore store, WebhookNotifier notifier, TimeProvider time, ILogger<MqttIngest> logger)
    {
        _broker = broker;
        _options = options.Value;
        _store = store;
        _notifier = notifier;
        _time = time;
        _logger = logger;
    }

    public bool Connected => _supervisor?.IsConnected ?? false;
    public long Received => Interlocked.Read(ref _received);
    public long Duplicates => Interlocked.Read(ref _duplicates);
    public long Rejected => Interlocked.Read(ref _rejected);
    private long _received;
    private long _duplicates;
    private long _rejected;

    /// <summary>Raised after an event has been stored for the first time.</summary>
    public event Action<FireEvent>? Stored;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _supervisor = new MqttSupervisor(
            new MqttSupervisorCallbacks
            {
                Options = BuildOptions,
                Connected = async (client, ct) =>
                {
                    await client.SubscribeAsync(
                        new MqttClientSubscribeOptionsBuilder()
                            .WithTopicFilter(f => f.WithTopic(Topics.AllEventsFilter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
                            .WithTopicFilter(f => f.WithTopic(Topics.AllStatusFilter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
                            .Build(),
                        ct).ConfigureAwait(false);
                    IngestLog.Connected(_logger, _broker.Host, _broker.Port);
                },
                Session = (_, lost) => Task.Delay(Timeout.Infinite, lost),
                Message = (_, e) => HandleAsync(e.ApplicationMessage, stoppingToken),
                Failed = reason => IngestLog.ConnectFailed(_logger, _broker.Host, _broker.Port, reason),
            },
            new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10)),
            _time);
        return _supervisor.RunAsync(stoppingToken);
    }

    private MqttClientOptions BuildOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_broker.Host, _broker.Port)
            .WithClientId($"edgewatch-aggregator-{Environment.MachineName}")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(7 * 24 * 3600)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15));
        if (_options.Username is not null)
        {
            builder.WithCredentials(_options.Username, _options.Password);
        }

        return builder.Build();
    }

    /// <summary>Handles one message. Public so tests can drive it without a broker.</summary>
    public async Task HandleAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var payload = message.Payload.ToArray();
        if (!Topics.TryParse(message.Topic, out var address))
        {
            await RejectAsync(message.Topic, "not an EdgeWatch v1 topic", payload, now, cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            if (address.Purpose == "status")
            {
                if (payload.Length > 0)
                {
                    var status = ProtocolJson.DeserializeStatus(payload);
                    await _store.SetGatewayStatusAsync(address.Gateway, status.Online, now, cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            if (address.Purpose is not ("evt/fire" or "evt/trouble"))
            {
                return; // motion and telemetry come with later issues
            }

            var e = ProtocolJson.DeserializeFireEvent(payload);
            if (e.Site != address.Site || e.Gateway != address.Gateway)
            {
                throw new PayloadException($"event {e.Id} claims {e.Site}/{e.Gateway} but arrived on {address.Site}/{address.Gateway}'s topic");
            }

            Interlocked.Increment(ref _received);
            if (!await _store.InsertAsync(e, now, cancellationToken).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _duplicates);
                return; // a redelivery: stored and notified already
            }

            if (e.Kind == FireEventKind.Alarm && !e.Test)
            {
                _notifier.Enqueue(e);
            }

            Stored?.Invoke(e);
        }
        catch (PayloadException ex)
        {
            await RejectAsync(message.Topic, ex.Message, payload, now, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RejectAsync(string topic, string reason, byte[] payload, DateTimeOffset now, CancellationToken ct)
    {
        Interlocked.Increment(ref _rejected);
        IngestLog.Rejected(_logger, topic, reason);
        var text = Encoding.UTF8.GetString(payload, 0, Math.Min(payload.Length, 64 * 1024));
        await _store.RejectAsync(topic, reason, text, now, ct).ConfigureAwait(false);
    }
}

internal static partial class IngestLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Aggregator subscribed at mqtt://{Host}:{Port}")]
    public static partial void Connected(ILogger logger, string host, int port);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Aggregator connection to mqtt://{Host}:{Port}: {Reason}; reconnecting with backoff")]
    public static partial void ConnectFailed(ILogger logger, string host, int port, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Rejected message on {Topic}: {Reason} (kept in the rejected table)")]
    public static partial void Rejected(ILogger logger, string topic, string reason);
}
