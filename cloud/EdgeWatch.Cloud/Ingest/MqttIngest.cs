using EdgeWatch.Mqtt;
using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
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
    private readonly FireNotifications _notifier;
    private readonly TimeProvider _time;
    private readonly ILogger<MqttIngest> _logger;
    private readonly ClockCorrector _clock = new();
    private MqttSupervisor? _supervisor;

    private readonly SnapshotAssembler _snapshots;

    public MqttIngest(EmbeddedBroker broker, IOptions<BrokerOptions> options, EventStore store, FireNotifications notifier, Incidents.GatewayWatch watch, Incidents.TroubleIncidents troubles, Incidents.MotionIncidents motion, CertificateSigner signer, TimeProvider time, ILogger<MqttIngest> logger)
    {
        _signer = signer;
        _motion = motion;
        _watch = watch;
        _troubles = troubles;
        _snapshots = new SnapshotAssembler(time);
        _broker = broker;
        _options = options.Value;
        _store = store;
        _revoked = new Broker.RevokedGateways(options.Value.SiteRecord, time, logger);
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
                            .WithTopicFilter(f => f.WithTopic(Topics.AllGatewayTrafficFilter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
                            .Build(),
                        ct).ConfigureAwait(false);
                    IngestLog.Connected(_logger, _broker.Host, _broker.Port);
                },
                Session = AcknowledgeAsync,
                Message = (_, e) => HandleAsync(e.ApplicationMessage, stoppingToken),
                Failed = reason => IngestLog.ConnectFailed(_logger, _broker.Host, _broker.Port, reason),
            },
            new ReconnectBackoff(TimeSpan.FromMilliseconds(50), _options.ReconnectMaxDelay > TimeSpan.FromMilliseconds(50) ? _options.ReconnectMaxDelay : TimeSpan.FromMilliseconds(50)),
            _time);
        return _supervisor.RunAsync(stoppingToken);
    }

    private MqttClientOptions BuildOptions()
    {
        var identity = string.IsNullOrEmpty(_options.ClientCertificate) ? null : X509Certificate2.CreateFromPemFile(_options.ClientCertificate, _options.ClientKey);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_broker.Host, _broker.Port)
            .WithClientId(identity is null ? $"edgewatch-aggregator-{Environment.MachineName}" : EdgeWatch.Mqtt.Trust.CertificateCheck.Identity(identity))
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(7 * 24 * 3600)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15));
        if (_options.Username is not null)
        {
            builder.WithCredentials(_options.Username, _options.Password);
        }

        if (identity is not null)
        {
            var authority = X509Certificate2.CreateFromPem(File.ReadAllText(_options.CaCertificate!));
            builder.WithTlsOptions(o => o.UseTls().WithTrustChain(new X509Certificate2Collection(authority)).WithClientCertificates([identity]));
        }

        return builder.Build();
    }

    private readonly ConcurrentDictionary<(string Site, string Gateway), ConcurrentQueue<long>> _toAck = new();

    private void QueueAck(TopicAddress address, MqttApplicationMessage message, long? payloadSeq)
    {
        var seq = payloadSeq ?? SeqProperty(message);
        if (seq is > 0)
        {
            _toAck.GetOrAdd((address.Site, address.Gateway), _ => new ConcurrentQueue<long>()).Enqueue(seq.Value);
        }
    }

    private static string? Property(MqttApplicationMessage message, string name) =>
        message.UserProperties?.FirstOrDefault(p => p.Name == name) is { } p ? System.Text.Encoding.UTF8.GetString(p.ValueBuffer.Span) : null;

    /// <summary>Snapshots waiting for more pieces.</summary>
    public int IncompleteSnapshots => _snapshots.Incomplete;

    private static long? SeqProperty(MqttApplicationMessage message) =>
        message.UserProperties?.FirstOrDefault(p => p.Name == UserProperties.Seq) is { } p && long.TryParse(System.Text.Encoding.UTF8.GetString(p.ValueBuffer.Span), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null;

    /// <summary>
    /// The session loop: every 100 ms, tells each gateway which of its messages are stored (end-to-end acknowledgement).
    /// Duplicates are acknowledged again, so a gateway whose acknowledgement was lost stops resending.
    /// </summary>
    private async Task AcknowledgeAsync(IMqttClient client, CancellationToken lost)
    {
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, lost).ConfigureAwait(false);
            foreach (var ((site, gateway), queue) in _toAck)
            {
                var seqs = new List<long>();
                while (seqs.Count < 1000 && queue.TryDequeue(out var seq))
                {
                    seqs.Add(seq);
                }

                if (seqs.Count == 0)
                {
                    continue;
                }

                try
                {
                    await client.PublishAsync(
                        new MqttApplicationMessageBuilder()
                            .WithTopic(Topics.Ack(site, gateway))
                            .WithPayload(ProtocolJson.Serialize(new Acknowledgement { Seqs = seqs }))
                            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                            .Build(),
                        lost).ConfigureAwait(false);
                }
                catch
                {
                    foreach (var seq in seqs)
                    {
                        queue.Enqueue(seq); // try again on the next connection
                    }

                    throw;
                }
            }
        }
    }

    /// <summary>Publishes an answer to a gateway (QoS 1, not retained); a lost one is asked for again by the gateway.</summary>
    private async Task AnswerAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        if (_supervisor?.Client is not { } client)
        {
            return;
        }

        await client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Publishes a gateway's desired configuration (retained). Fails when the aggregator is not connected.</summary>
    public async Task PublishDesiredConfigAsync(string site, string gateway, DesiredConfig config, CancellationToken cancellationToken)
    {
        var client = _supervisor?.Client ?? throw new InvalidOperationException("the aggregator is not connected to the broker");
        var result = await client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(Topics.DesiredConfig(site, gateway))
                .WithPayload(ProtocolJson.Serialize(config))
                .WithRetainFlag()
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"broker refused the desired configuration: {result.ReasonCode} {result.ReasonString}");
        }
    }

    private readonly Broker.RevokedGateways _revoked;
    private readonly CertificateSigner _signer;
    private readonly Incidents.GatewayWatch _watch;
    private readonly Incidents.TroubleIncidents _troubles;
    private readonly Incidents.MotionIncidents _motion;

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

        if (_revoked.IsRevoked(address.Gateway) && !Topics.IsToGateway(address.Purpose))
        {
            await RejectAsync(message.Topic, $"gateway '{address.Gateway}' is revoked (every certificate of it, in the site record)", payload, now, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (address.Purpose != "status" && !Topics.IsToGateway(address.Purpose))
        {
            _watch.Seen(address.Gateway); // any message from the gateway, readable or not, says it is alive
        }

        try
        {
            switch (address.Purpose)
            {
                case "status":
                    if (payload.Length > 0)
                    {
                        var status = ProtocolJson.DeserializeStatus(payload);
                        await _store.SetGatewayStatusAsync(address.Gateway, status.Online, now, cancellationToken).ConfigureAwait(false);
                        if (status.Online)
                        {
                            _watch.Seen(address.Gateway);
                        }
                        else
                        {
                            _watch.WillReceived(address.Gateway);
                        }
                    }

                    return;
                case "evt/fire" or "evt/trouble":
                    QueueAck(address, message, await HandleFireAsync(address, payload, now, cancellationToken).ConfigureAwait(false));
                    return;
                case "evt/motion":
                    var m = ProtocolJson.DeserializeMotion(payload);
                    CheckIdentity(m.Id, m.Site, m.Gateway, address);
                    var mt = await ObserveClockAsync(m.Gateway, m.Boot, m.MonotonicMs, m.WallTime, m.ClockSynced, now, cancellationToken).ConfigureAwait(false);
                    var freshMotion = await _store.InsertMotionAsync(m, Encoding.UTF8.GetString(payload), mt, now, cancellationToken).ConfigureAwait(false);
                    Count(freshMotion);
                    if (freshMotion && m.Armed)
                    {
                        await MotionIncidentAsync(m, cancellationToken).ConfigureAwait(false);
                    }

                    QueueAck(address, message, m.Seq);
                    return;
                case "heartbeat":
                    var h = ProtocolJson.DeserializeHeartbeat(payload);
                    if (h.Gateway != address.Gateway)
                    {
                        throw new PayloadException($"heartbeat {h.Id} claims gateway {h.Gateway} but arrived on {address.Gateway}'s topic");
                    }

                    await ObserveClockAsync(h.Gateway, h.Boot, h.MonotonicMs, h.WallTime, h.ClockSynced, now, cancellationToken).ConfigureAwait(false);
                    Count(await _store.InsertHeartbeatAsync(h, now, cancellationToken).ConfigureAwait(false));
                    QueueAck(address, message, h.Seq);
                    return;
                case "selftest":
                    if (payload.Length > 0)
                    {
                        var report = ProtocolJson.DeserializeSelftest(payload);
                        if (report.Gateway != address.Gateway || report.Site != address.Site)
                        {
                            throw new PayloadException($"self-test report of {report.Site}/{report.Gateway} arrived on {address.Site}/{address.Gateway}'s topic");
                        }

                        await _store.AddCommissioningAsync(report, Encoding.UTF8.GetString(payload), now, cancellationToken).ConfigureAwait(false);
                    }

                    return;
                case "cert/request":
                    var renewal = ProtocolJson.DeserializeRenewalRequest(payload);
                    await AnswerAsync(Topics.CertificateIssued(address.Site, address.Gateway), ProtocolJson.Serialize(_signer.Answer(address, renewal)), cancellationToken).ConfigureAwait(false);
                    return;
                case "config/reported":
                    if (payload.Length > 0)
                    {
                        ProtocolJson.DeserializeReportedConfig(payload);
                        await _store.SetReportedConfigAsync(address.Gateway, Encoding.UTF8.GetString(payload), now, cancellationToken).ConfigureAwait(false);
                    }

                    return;
                case var p when p.StartsWith("snapshot/", StringComparison.Ordinal):
                    if (!Guid.TryParse(p["snapshot/".Length..], out var eventId))
                    {
                        throw new PayloadException($"snapshot topic does not end in an event id: {p}");
                    }

                    if (payload.Length > WireLimits.MaxSnapshotBytes)
                    {
                        throw new PayloadException($"snapshot is {payload.Length} bytes; the limit is {WireLimits.MaxSnapshotBytes}");
                    }

                    if (Property(message, UserProperties.Chunk) is { } chunk)
                    {
                        if (!UserProperties.TryParseChunk(chunk, out var index, out var count))
                        {
                            throw new PayloadException($"snapshot chunk '{chunk}' is not index/count");
                        }

                        if (_snapshots.Add(eventId, index, count, payload) is not { } whole)
                        {
                            return; // acknowledged once every piece is here
                        }

                        payload = whole;
                    }

                    await _store.InsertSnapshotAsync(eventId, address.Gateway, SeqProperty(message) ?? 0, payload, now, cancellationToken).ConfigureAwait(false);
                    QueueAck(address, message, null);
                    return;
                default:
                    return; // cmd/*, config/desired and ack are the aggregator's own messages
            }
        }
        catch (PayloadException ex)
        {
            // Kept with the reason, and acknowledged: resending an unreadable message would not make it readable.
            await RejectAsync(message.Topic, ex.Message, payload, now, cancellationToken).ConfigureAwait(false);
            QueueAck(address, message, null);
        }
    }

    private void Count(bool fresh)
    {
        Interlocked.Increment(ref _received);
        if (!fresh)
        {
            Interlocked.Increment(ref _duplicates);
        }
    }

    /// <summary>Updates the boot's clock estimate (persisting an improvement) and returns this message's best time.</summary>
    private async Task<DateTimeOffset> ObserveClockAsync(string gateway, Guid boot, long mono, DateTimeOffset wall, bool synced, DateTimeOffset now, CancellationToken ct)
    {
        var (start, changed) = _clock.Observe(gateway, boot, mono, wall, synced, now);
        if (changed)
        {
            await _store.SetBootStartAsync(gateway, boot, start.Start, start.Exact, ct).ConfigureAwait(false);
        }

        return synced ? wall : start.Start + TimeSpan.FromMilliseconds(mono);
    }

    private static void CheckIdentity(Guid id, string site, string gateway, TopicAddress address)
    {
        if (site != address.Site || gateway != address.Gateway)
        {
            throw new PayloadException($"event {id} claims {site}/{gateway} but arrived on {address.Site}/{address.Gateway}'s topic");
        }
    }

    private async Task<long> HandleFireAsync(TopicAddress address, byte[] payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var e = ProtocolJson.DeserializeFireEvent(payload);
        CheckIdentity(e.Id, e.Site, e.Gateway, address);
        await ObserveClockAsync(e.Gateway, e.Boot, e.MonotonicMs, e.WallTime, e.ClockSynced, now, cancellationToken).ConfigureAwait(false);
        bool fresh;
        if (e.Kind == FireEventKind.Alarm && !e.Test)
        {
            // The event, its incident and the incident's notifications in one transaction; the gateway is
            // acknowledged only after it commits (the caller queues the acknowledgement when this returns).
            var stored = await _store.InsertAlarmAsync(e, now, incident => _notifier.For(e, incident), cancellationToken).ConfigureAwait(false);
            fresh = stored.Fresh;
            if (stored.JoinedAlarm is { } alarmId)
            {
                IngestLog.JoinedAlarm(_logger, e.Id, alarmId, e.Channel, e.Cause);
            }
            else if (stored.OpenedIncident is not null)
            {
                _notifier.Written();
            }
        }
        else
        {
            fresh = await _store.InsertAsync(e, now, cancellationToken).ConfigureAwait(false);
        }

        Count(fresh);
        if (!fresh)
        {
            return e.Seq; // a redelivery: stored and notified already
        }

        if (e.Kind == FireEventKind.Reset && !e.Test)
        {
            await _notifier.AllClearAsync(e, cancellationToken).ConfigureAwait(false); // before the ack: a crash resends the reset
        }
        else if (e.Kind is FireEventKind.Trouble or FireEventKind.TroubleCleared)
        {
            try
            {
                await _troubles.HandleAsync(e, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException or System.Text.Json.JsonException)
            {
                IngestLog.TroubleIncidentFailed(_logger, e.Id, ex.Message); // the event is stored; only its incident is missing
            }
        }

        Stored?.Invoke(e);
        return e.Seq;
    }

    private async Task MotionIncidentAsync(MotionEvent m, CancellationToken cancellationToken)
    {
        try
        {
            await _motion.HandleAsync(m, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException or System.Text.Json.JsonException)
        {
            IngestLog.TroubleIncidentFailed(_logger, m.Id, ex.Message); // the event is stored; only its incident is missing
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
    [LoggerMessage(EventId = 3121, Level = LogLevel.Error, Message = "Event {EventId} is stored, but its incident could not be written: {Error}")]
    public static partial void TroubleIncidentFailed(ILogger logger, Guid eventId, string error);

    [LoggerMessage(EventId = 3120, Level = LogLevel.Information, Message = "Alarm event {EventId} ({Channel}, {Cause}) joins alarm {AlarmId}, whose people were notified already")]
    public static partial void JoinedAlarm(ILogger logger, Guid eventId, Guid alarmId, string? channel, string? cause);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Aggregator subscribed at mqtt://{Host}:{Port}")]
    public static partial void Connected(ILogger logger, string host, int port);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Aggregator connection to mqtt://{Host}:{Port}: {Reason}; reconnecting with backoff")]
    public static partial void ConnectFailed(ILogger logger, string host, int port, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Rejected message on {Topic}: {Reason} (kept in the rejected table)")]
    public static partial void Rejected(ILogger logger, string topic, string reason);
}
