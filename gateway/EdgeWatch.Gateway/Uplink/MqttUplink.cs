using EdgeWatch.Mqtt;
using System.Buffers;
using System.Threading.RateLimiting;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Remote;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>
/// The gateway's one supervised MQTT connection (see <see cref="MqttSupervisor"/>). It connects with a retained Will
/// (offline), publishes a retained birth (online), subscribes to commands and to its desired configuration, then drains
/// the durable <see cref="Outbox"/>: fire lane first, then trouble, motion, telemetry, oldest first within a lane. An
/// entry leaves the outbox only when the broker acknowledged it with success and the aggregator acknowledged it on
/// <c>ack</c> (so a broker crash after its PUBACK loses nothing); "no matching subscribers" (the
/// aggregator has not resubscribed yet after a broker restart) is not a delivery either. Non-fire lanes drain at a bounded rate;
/// a fire alarm is never held back. An entry the broker refuses (for example reason 135, not authorized) stays, is
/// retried after <see cref="UplinkOptions.RejectedRetryDelay"/> without holding up the entries behind it, and is
/// reported in health and logs. Fire and trouble go one at a time, awaited; motion and telemetry are pipelined, with at
/// most <see cref="LowerLaneInFlightBytes"/> unacknowledged and snapshots in <see cref="SnapshotChunkBytes"/> pieces,
/// so a fire publish never waits for a snapshot: at most 16 KiB of lower-lane bytes are ahead of it on any link.
/// </summary>
public sealed class MqttUplink : SupervisedService
{
    private readonly Outbox _outbox;
    private readonly CommandHandler _commands;
    private readonly RemoteConfiguration _config;
    private readonly CertificateRenewal _renewal;
    private readonly MqttOptions _mqtt;
    private readonly UplinkOptions _uplink;
    private readonly GatewayOptions _gateway;
    private readonly TimeProvider _time;
    private readonly ILogger<MqttUplink> _logger;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly DateTimeOffset[] _laneBlockedUntil = new DateTimeOffset[4];
    private MqttSupervisor? _supervisor;
    private static readonly TimeSpan NoSubscriberRetryDelay = TimeSpan.FromMilliseconds(50);
    private long _published;
    private long _rejected;
    private long _unsubscribed;

    public MqttUplink(Outbox outbox, CommandHandler commands, RemoteConfiguration config, CertificateRenewal renewal, IOptions<MqttOptions> mqtt, IOptions<UplinkOptions> uplink,
        IOptions<GatewayOptions> gateway, TimeProvider time, ILogger<MqttUplink> logger)
        : base(time, logger)
    {
        _renewal = renewal;
        _outbox = outbox;
        _commands = commands;
        _config = config;
        _mqtt = mqtt.Value;
        _uplink = uplink.Value;
        _gateway = gateway.Value;
        _time = time;
        _logger = logger;
        _outbox.Enqueued += _ => _wake.Release();
    }

    public bool Connected => _supervisor?.IsConnected ?? false;
    public long Published => Interlocked.Read(ref _published);
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Publishes the broker accepted with "no matching subscribers" (kept and retried).</summary>
    public long Unsubscribed => Interlocked.Read(ref _unsubscribed);
    public string? LastError { get; private set; }

    /// <summary>When the node's client certificate expires (known once it was loaded), for health.</summary>
    public DateTimeOffset? ClientCertificateExpires { get; private set; }

    protected override Task RunAsync(CancellationToken stoppingToken)
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
                Message = (client, e) => OnMessageAsync(client, e, stoppingToken),
                Stopping = GoodbyeAsync,
                Failed = reason =>
                {
                    var tlsFailure = _mqtt.UseTls && !reason.StartsWith("Mqtt:", StringComparison.Ordinal)
                        && (reason.Contains("not connected", StringComparison.OrdinalIgnoreCase) || reason.Contains("SSL", StringComparison.Ordinal)
                            || reason.Contains("TLS", StringComparison.Ordinal) || reason.Contains("certificate", StringComparison.OrdinalIgnoreCase));
                    reason = tlsFailure ? MqttTlsFiles.Explain(_mqtt, reason) : reason;
                    LastError = reason;
                    UplinkLog.ConnectFailed(_logger, _mqtt.Host, _mqtt.Port, reason);
                },
            },
            new ReconnectBackoff(_mqtt.ReconnectMinDelay, _mqtt.ReconnectMaxDelay),
            _time);
        return _supervisor.RunAsync(stoppingToken);
    }

    private MqttClientOptions BuildOptions()
    {
        var builder = MqttTlsFiles.NodeOptions(_mqtt, _gateway, _time.GetUtcNow(), out var client)
            .WithKeepAlivePeriod(_mqtt.KeepAlive)
            .WithWillTopic(Topics.Status(_gateway.Site, _gateway.Id))
            .WithWillPayload(Status(online: false))
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        ClientCertificateExpires = client is null ? null : new DateTimeOffset(client.NotAfter.ToUniversalTime());
        return builder.Build();
    }

    private byte[] Status(bool online) =>
        ProtocolJson.Serialize(new GatewayStatus { Gateway = _gateway.Id, Group = _gateway.Group, Online = online, Since = _time.GetUtcNow() });

    private async Task OnConnectedAsync(IMqttClient client, CancellationToken ct)
    {
        // Resubscribe on every connection (a broker restart may have lost the session).
        var subscriptions = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(Topics.CommandFilter(_gateway.Site, _gateway.Id)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .WithTopicFilter(f => f.WithTopic(Topics.DesiredConfig(_gateway.Site, _gateway.Id)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .WithTopicFilter(f => f.WithTopic(Topics.Ack(_gateway.Site, _gateway.Id)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
        if (_renewal.Enabled)
        {
            subscriptions.WithTopicFilter(f => f.WithTopic(Topics.CertificateIssued(_gateway.Site, _gateway.Id)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
        }

        await client.SubscribeAsync(subscriptions.Build(), ct).ConfigureAwait(false);

        // Whatever went out on the last connection without an acknowledgement goes again, in order.
        _outbox.ResendUnacknowledged();
        await PublishBirthAsync(client, ct).ConfigureAwait(false);
        var waiting = _outbox.Backlog.Sum();
        UplinkLog.Connected(_logger, _mqtt.Host, _mqtt.Port, waiting);
    }

    private Task<MqttClientPublishResult> PublishBirthAsync(IMqttClient client, CancellationToken ct) =>
        client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(Topics.Status(_gateway.Site, _gateway.Id))
                .WithPayload(Status(online: true))
                .WithRetainFlag()
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            ct);

    private bool LaneBlocked(Lane lane) => _laneBlockedUntil[(int)lane] > _time.GetUtcNow();

    /// <summary>
    /// At most this many bytes of motion and telemetry are unacknowledged by the broker at a time: on a slow link a
    /// fire event waits behind no more than this, wherever the bytes are queued (socket, proxy, modem).
    /// </summary>
    public const int LowerLaneInFlightBytes = 16 * 1024;

    /// <summary>Snapshots go out in pieces of this size (user property <c>chunk</c>), so a fire event can pass between them.</summary>
    public const int SnapshotChunkBytes = 4 * 1024;

    /// <summary>Lower-lane bytes the broker has not acknowledged yet, for one connection.</summary>
    private sealed class LowerWindow
    {
        private long _bytes;
        public long Bytes => Interlocked.Read(ref _bytes);
        public Exception? Error { get; set; }
        public void Add(int size) => Interlocked.Add(ref _bytes, size);
        public void Remove(int size) => Interlocked.Add(ref _bytes, -size);
    }

    /// <summary>One lower-lane entry on its way out, in one piece or (a snapshot) in several.</summary>
    private sealed class LowerSend(OutboxEntry entry)
    {
        public OutboxEntry Entry { get; } = entry;
        public int Count { get; } = entry.Kind == "snapshot" ? Math.Max(1, (entry.Payload.Length + SnapshotChunkBytes - 1) / SnapshotChunkBytes) : 1;
        public int Next { get; set; }
        public int Acknowledged;
        public int Failed;
        public bool Done => Next == Count || Volatile.Read(ref Failed) == 1;
    }

    private async Task PumpAsync(IMqttClient client, CancellationToken ct)
    {
        // A fresh bucket per connection: the backlog after a reconnect drains at a bounded rate.
        using var drain = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, _uplink.DrainRatePerSecond / 10),
            TokensPerPeriod = Math.Max(1, _uplink.DrainRatePerSecond / 10),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 1,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
        var window = new LowerWindow();
        LowerSend? current = null;

        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (window.Error is { } failed)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed); // the connection is gone: reconnect
            }

            // Fire and trouble first, one at a time and awaited; motion and telemetry only when none is waiting.
            if (_outbox.PeekNext(lane => lane > Lane.Trouble || LaneBlocked(lane)) is { } urgent)
            {
                await PublishUrgentAsync(client, urgent, ct).ConfigureAwait(false);
                continue;
            }

            if (window.Bytes >= LowerLaneInFlightBytes)
            {
                await _wake.WaitAsync(TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
                continue;
            }

            if (current is null || current.Done)
            {
                current = null;
                var entry = _outbox.PeekNext(LaneBlocked);
                if (entry is null)
                {
                    // Wait for new work, or for a retry time.
                    await _wake.WaitAsync(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
                    continue;
                }

                if (entry.Lane <= Lane.Trouble)
                {
                    continue; // raised just now: the top of the loop takes it
                }

                using var lease = drain.AttemptAcquire();
                if (!lease.IsAcquired)
                {
                    // Out of tokens: wait briefly, then look again, so a fire alarm raised meanwhile goes first.
                    await Task.Delay(TimeSpan.FromMilliseconds(5), _time, ct).ConfigureAwait(false);
                    continue;
                }

                _outbox.MarkSent(entry); // in flight: not offered again while its pieces go out
                current = new LowerSend(entry);
            }

            var index = current.Next++;
            var message = LowerMessage(current, index, out var size);
            window.Add(size);
            _ = SendLowerAsync(client, current, message, size, window, ct);
        }
    }

    private static MqttApplicationMessage LowerMessage(LowerSend send, int index, out int size)
    {
        var entry = send.Entry;
        var offset = index * SnapshotChunkBytes;
        var payload = send.Count == 1 ? new ArraySegment<byte>(entry.Payload) : new ArraySegment<byte>(entry.Payload, offset, Math.Min(SnapshotChunkBytes, entry.Payload.Length - offset));
        size = payload.Count;
        var builder = Message(entry).WithPayload(payload);
        if (send.Count > 1)
        {
            builder.WithUserProperty(UserProperties.Chunk, System.Text.Encoding.UTF8.GetBytes(UserProperties.FormatChunk(index, send.Count)).AsMemory());
        }

        return builder.Build();
    }

    private static MqttApplicationMessageBuilder Message(OutboxEntry entry) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(entry.Topic)
            .WithContentType(entry.Kind == "snapshot" ? "image/jpeg" : "application/json")
            .WithUserProperty(UserProperties.Seq, System.Text.Encoding.UTF8.GetBytes(entry.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture)).AsMemory())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);

    /// <summary>One piece of a lower-lane entry, not awaited by the pump: its PUBACK frees room in the window.</summary>
    private async Task SendLowerAsync(IMqttClient client, LowerSend send, MqttApplicationMessage message, int size, LowerWindow window, CancellationToken ct)
    {
        try
        {
            var result = await client.PublishAsync(message, ct).ConfigureAwait(false);
            if (result.ReasonCode == MqttClientPublishReasonCode.Success)
            {
                if (Interlocked.Increment(ref send.Acknowledged) == send.Count && Volatile.Read(ref send.Failed) == 0)
                {
                    // Every piece is at the broker; the entry is deleted when the aggregator acknowledges it.
                    _outbox.MarkSent(send.Entry);
                    Interlocked.Increment(ref _published);
                }
            }
            else if (Interlocked.Exchange(ref send.Failed, 1) == 0)
            {
                Refused(send.Entry, result);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            window.Error ??= ex;
        }
        finally
        {
            window.Remove(size);
            _wake.Release();
        }
    }

    private async Task PublishUrgentAsync(IMqttClient client, OutboxEntry entry, CancellationToken ct)
    {
        var result = await client.PublishAsync(Message(entry).WithPayload(entry.Payload).Build(), ct).ConfigureAwait(false);
        if (result.ReasonCode == MqttClientPublishReasonCode.Success)
        {
            // The broker has it; the entry is deleted when the aggregator acknowledges it.
            _outbox.MarkSent(entry);
            Interlocked.Increment(ref _published);
            UrgentRefusal(entry, null);
            return;
        }

        Refused(entry, result);
    }

    /// <summary>A PUBACK that is not a delivery: keep the entry and retry it on its own schedule.</summary>
    private void Refused(OutboxEntry entry, MqttClientPublishResult result)
    {
        if (result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers)
        {
            // The broker took it but nobody was subscribed (the aggregator is still reconnecting after a broker
            // restart), so it would be thrown away. Keep it and try again shortly.
            // Nobody is subscribed for any entry then, so the whole lane waits (not each entry in turn).
            Interlocked.Increment(ref _unsubscribed);
            _outbox.RetryAt(entry, _time.GetUtcNow() + NoSubscriberRetryDelay);
            _laneBlockedUntil[(int)entry.Lane] = _time.GetUtcNow() + NoSubscriberRetryDelay;
            return;
        }

        // An error reason is not a delivery: keep the entry, retry this entry only (the ones behind it go on), say so.
        Interlocked.Increment(ref _rejected);
        LastError = $"broker refused {entry.Kind} seq {entry.Seq} on {entry.Topic}: {(int)result.ReasonCode} {result.ReasonCode} {result.ReasonString}";
        UplinkLog.Rejected(_logger, entry.Kind, entry.Seq, entry.Topic, (int)result.ReasonCode, result.ReasonCode.ToString(), result.ReasonString);
        _outbox.RetryAt(entry, _time.GetUtcNow() + _uplink.RejectedRetryDelay);
        UrgentRefusal(entry, LastError);
    }

    /// <summary>
    /// Raised when the broker starts refusing a fire or trouble entry (the reason), and when every refused one has
    /// been accepted since (null). The gateway shows it as <c>uplink-refused</c> trouble.
    /// </summary>
    public event Action<string?>? UrgentRefusalChanged;

    private readonly HashSet<long> _refusedUrgent = [];

    private void UrgentRefusal(OutboxEntry entry, string? error)
    {
        if (entry.Lane is not (Lane.Fire or Lane.Trouble))
        {
            return;
        }

        bool changed;
        lock (_refusedUrgent)
        {
            var before = _refusedUrgent.Count;
            _ = error is null ? _refusedUrgent.Remove(entry.Position) : _refusedUrgent.Add(entry.Position);
            changed = (before == 0) != (_refusedUrgent.Count == 0);
        }

        if (changed)
        {
            UrgentRefusalChanged?.Invoke(error);
        }
    }

    /// <summary>Publishes a certificate signing request on the node's own <c>cert/request</c>; false when not connected or refused.</summary>
    public async Task<bool> PublishRenewalRequestAsync(CertificateRenewalRequest request, CancellationToken cancellationToken)
    {
        if (_supervisor?.Client is not { } client)
        {
            return false;
        }

        var result = await client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(Topics.CertificateRequest(_gateway.Site, _gateway.Id))
                .WithPayload(ProtocolJson.Serialize(request))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            cancellationToken).ConfigureAwait(false);
        return result.IsSuccess;
    }

    /// <summary>A renewed certificate: installed, then this connection ends so that the next one presents it.</summary>
    private void OnCertificateIssued(IMqttClient client, byte[] payload)
    {
        CertificateRenewalAnswer answer;
        try
        {
            answer = ProtocolJson.DeserializeRenewalAnswer(payload);
        }
        catch (PayloadException ex)
        {
            UplinkLog.BadCertificateAnswer(_logger, ex.Message);
            return;
        }

        if (_renewal.Complete(answer) is { } renewed)
        {
            renewed.Dispose();

            // Not from inside the client's own message handler: it would wait for itself.
            _ = Task.Run(() => client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build()));
        }
    }

    private async Task OnMessageAsync(IMqttClient client, MqttApplicationMessageReceivedEventArgs e, CancellationToken ct)
    {
        var msg = e.ApplicationMessage;
        var payload = msg.Payload.ToArray();
        if (msg.Topic == Topics.Ack(_gateway.Site, _gateway.Id))
        {
            try
            {
                _outbox.Acknowledge(ProtocolJson.DeserializeAck(payload).Seqs);
                _wake.Release();
            }
            catch (PayloadException ex)
            {
                UplinkLog.BadAck(_logger, ex.Message);
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex)
            {
                // Held entries are released anyway; stored ones are sent again and the aggregator ignores repeats.
                UplinkLog.AckNotStored(_logger, ex.Message);
            }

            return;
        }

        if (msg.Topic == Topics.DesiredConfig(_gateway.Site, _gateway.Id))
        {
            await OnDesiredConfigAsync(client, payload, ct).ConfigureAwait(false);
            return;
        }

        if (msg.Topic == Topics.CertificateIssued(_gateway.Site, _gateway.Id))
        {
            OnCertificateIssued(client, payload);
            return;
        }

        var name = msg.Topic[(msg.Topic.LastIndexOf('/') + 1)..];
        CommandResult result;
        if (name == CommandNames.Rebirth)
        {
            await PublishBirthAsync(client, ct).ConfigureAwait(false);
            result = CommandResult.Ok("birth republished");
        }
        else
        {
            try
            {
                result = _commands.Handle(name, ProtocolJson.DeserializeCommand(payload));
            }
            catch (PayloadException ex)
            {
                result = CommandResult.Refused(ex.Message);
            }
        }

        UplinkLog.Command(_logger, name, result.Accepted, result.Message);
        if (!string.IsNullOrEmpty(msg.ResponseTopic))
        {
            await TryPublishAsync(client, new MqttApplicationMessageBuilder()
                .WithTopic(msg.ResponseTopic)
                .WithPayload(ProtocolJson.Serialize(new CommandResponse { Command = name, Accepted = result.Accepted, Message = result.Message }))
                .WithCorrelationData(msg.CorrelationData)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(), ct).ConfigureAwait(false);
        }
    }

    private async Task OnDesiredConfigAsync(IMqttClient client, byte[] payload, CancellationToken ct)
    {
        if (payload.Length == 0)
        {
            return; // retained message cleared
        }

        ReportedConfig report;
        try
        {
            report = _config.Apply(ProtocolJson.DeserializeDesiredConfig(payload));
        }
        catch (PayloadException ex)
        {
            report = new ReportedConfig
            {
                Gateway = _gateway.Id,
                RunningVersion = _config.RunningVersion,
                RequestedVersion = -1,
                Applied = false,
                Errors = [ex.Message],
                At = _time.GetUtcNow(),
            };
        }

        await TryPublishAsync(client, new MqttApplicationMessageBuilder()
            .WithTopic(Topics.ReportedConfig(_gateway.Site, _gateway.Id))
            .WithPayload(ProtocolJson.Serialize(report))
            .WithRetainFlag()
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), ct).ConfigureAwait(false);
    }

    private async Task TryPublishAsync(IMqttClient client, MqttApplicationMessage message, CancellationToken ct)
    {
        try
        {
            await client.PublishAsync(message, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            UplinkLog.ConnectFailed(_logger, _mqtt.Host, _mqtt.Port, ex.Message);
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
                    .WithPayload(Status(online: false))
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

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}

internal static partial class UplinkLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "MQTT connected to {Host}:{Port}; {Backlog} entries waiting in the outbox")]
    public static partial void Connected(ILogger logger, string host, int port, int backlog);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "MQTT connection to {Host}:{Port}: {Reason}; fire safety continues locally, reconnecting with backoff")]
    public static partial void ConnectFailed(ILogger logger, string host, int port, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Broker refused {Kind} seq {Seq} on {Topic}: reason {Code} {Reason} {Detail}; kept in the outbox and retried")]
    public static partial void Rejected(ILogger logger, string kind, long seq, string topic, int code, string reason, string? detail);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Command {Command}: accepted {Accepted}, {Message}")]
    public static partial void Command(ILogger logger, string command, bool accepted, string message);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Error, Message = "Unreadable acknowledgement from the aggregator: {Reason}")]
    public static partial void BadAck(ILogger logger, string reason);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "Unreadable certificate answer from the aggregator: {Reason}")]
    public static partial void BadCertificateAnswer(ILogger logger, string reason);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "An acknowledgement could not be applied to the outbox on disk ({Error}); those entries will be sent again")]
    public static partial void AckNotStored(ILogger logger, string error);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "MQTT uplink disabled by configuration (Mqtt:Enabled=false); events stay in the outbox")]
    public static partial void Disabled(ILogger logger);
}
