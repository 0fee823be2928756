using System.Text;
using EdgeWatch.Mqtt;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Notify;

/// <summary>
/// The webhook channel of the durable notification outbox. A fire alarm's notification is written in the same
/// transaction as the event and its incident (<see cref="NotificationsFor"/>), before the gateway is acknowledged;
/// this worker delivers what is pending, signed and with an idempotency key, retrying with backoff until the give-up
/// time. After a crash the pending rows are still there and go out on restart; the key lets the receiver drop a
/// delivery it already had (the one that was in flight).
/// </summary>
public sealed class WebhookNotifier : BackgroundService
{
    public const string ChannelName = "webhook";
    private const int FirePriority = 0;

    private readonly SemaphoreSlim _wake = new(0);
    private readonly IHttpClientFactory _http;
    private readonly SiteDirectory _site;
    private readonly INotificationOutbox _outbox;
    private readonly NotifyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookNotifier> _logger;
    private readonly SemaphoreSlim _concurrency = new(16);
    private readonly HashSet<long> _inflight = [];

    public WebhookNotifier(IHttpClientFactory http, SiteDirectory site, INotificationOutbox outbox, IOptions<NotifyOptions> options, TimeProvider time, ILogger<WebhookNotifier> logger)
    {
        _http = http;
        _site = site;
        _outbox = outbox;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public long Delivered => Interlocked.Read(ref _delivered);
    private long _delivered;

    /// <summary>Fire incidents opened by this process, each with its notification written to the outbox.</summary>
    public long Queued => Interlocked.Read(ref _queued);
    private long _queued;

    /// <summary>Failed delivery attempts so far.</summary>
    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);
    private long _failedAttempts;

    /// <summary>The notifications a new fire incident writes into the outbox with it (none without a webhook).</summary>
    public IReadOnlyList<NewNotification> NotificationsFor(FireEvent alarm, Guid incident)
    {
        var notification = Build(alarm) with { IncidentId = incident };
        if (_site.Group(alarm.Group) is null)
        {
            NotifyLog.UnknownGroup(_logger, alarm.Group, alarm.Id);
        }

        if (_options.WebhookUrl is not { } url)
        {
            NotifyLog.NoWebhook(_logger, alarm.Id, notification.Members.Count);
            return [];
        }

        var payload = System.Text.Json.JsonSerializer.Serialize(notification, CloudJsonContext.Default.Notification);
        return [new NewNotification(ChannelName, url.ToString(), FirePriority, payload, $"{incident:D}/{ChannelName}", _time.GetUtcNow() + _options.GiveUpAfter)];
    }

    /// <summary>Called after a commit that wrote notifications: deliver now rather than at the next poll.</summary>
    public void Wake(int written)
    {
        Interlocked.Add(ref _queued, written);
        _wake.Release();
    }

    public Notification Build(FireEvent e)
    {
        var group = _site.Group(e.Group);
        var household = group?.Households.FirstOrDefault(h => h.Id == e.Household);
        var members = group?.Households.SelectMany(h => h.Members.Select(m => new NotifiedMember(m.Name, m.Phone, h.Id))).ToList() ?? [];
        return new Notification
        {
            EventId = e.Id,
            Kind = EventStore.KindName(e.Kind),
            Site = e.Site,
            Group = e.Group,
            GroupName = group?.Name,
            Gateway = e.Gateway,
            Household = e.Household,
            Address = household?.Address,
            Channel = e.Channel,
            Cause = e.Cause,
            WallTime = e.WallTime,
            Members = members,
            Text = FireMessage.Text(_options.Language, household?.Address ?? e.Household, group?.Name),
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var inflight = new List<Task>();
        var poll = TimeSpan.FromSeconds(1);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                foreach (var message in await _outbox.DueAsync(ChannelName, _time.GetUtcNow(), 64, stoppingToken).ConfigureAwait(false))
                {
                    lock (_inflight)
                    {
                        if (!_inflight.Add(message.Id))
                        {
                            continue; // still being delivered
                        }
                    }

                    await _concurrency.WaitAsync(stoppingToken).ConfigureAwait(false);
                    inflight.RemoveAll(t => t.IsCompleted);
                    inflight.Add(DeliverAsync(message, stoppingToken));
                }

                // Woken by a new incident, or poll for retries that have come due.
                using var pollTimer = new CancellationTokenSource(poll, _time);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, pollTimer.Token);
                try
                {
                    await _wake.WaitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // the poll interval passed
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(inflight).ConfigureAwait(false);
    }

    private async Task DeliverAsync(OutboxMessage message, CancellationToken ct)
    {
        var attempt = message.Attempts + 1;
        try
        {
            string error;
            try
            {
                using var client = _http.CreateClient(ChannelName);
                client.Timeout = _options.Timeout;
                var body = Encoding.UTF8.GetBytes(message.Payload);
                using var request = new HttpRequestMessage(HttpMethod.Post, message.Destination) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                var now = _time.GetUtcNow().ToUnixTimeSeconds();
                request.Headers.Add(WebhookSignature.TimestampHeader, now.ToString(System.Globalization.CultureInfo.InvariantCulture));
                request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(_options.WebhookSecret ?? "", now, body));
                request.Headers.Add(WebhookSignature.IdempotencyHeader, message.IdempotencyKey);
                using var response = await client.SendAsync(request, ct).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    await _outbox.MarkDeliveredAsync(message.Id, attempt, _time.GetUtcNow(), ct).ConfigureAwait(false);
                    Interlocked.Increment(ref _delivered);
                    NotifyLog.Delivered(_logger, message.EventId, message.IncidentId, attempt);
                    return;
                }

                error = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                error = ex.Message;
            }

            Interlocked.Increment(ref _failedAttempts);
            var retryIn = Backoff(attempt);
            if (await _outbox.MarkAttemptFailedAsync(message.Id, attempt, error, _time.GetUtcNow() + retryIn, _time.GetUtcNow(), ct).ConfigureAwait(false))
            {
                NotifyLog.GaveUp(_logger, message.EventId, attempt, error);
            }
            else
            {
                NotifyLog.Failed(_logger, message.EventId, attempt, error);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_inflight)
            {
                _inflight.Remove(message.Id);
            }

            _concurrency.Release();
        }
    }

    /// <summary>200 ms doubling to 30 s: the retry schedule kept in the outbox row, so it survives a restart.</summary>
    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(30_000, 200 * Math.Pow(2, Math.Min(attempt - 1, 10))));

    public override void Dispose()
    {
        _concurrency.Dispose();
        _wake.Dispose();
        base.Dispose();
    }
}

internal static partial class NotifyLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Webhook delivered alarm {EventId} of incident {Incident} (attempt {Attempt})")]
    public static partial void Delivered(ILogger logger, Guid eventId, Guid incident, int attempt);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Webhook delivery of alarm {EventId} failed (attempt {Attempt}): {Error}; retrying")]
    public static partial void Failed(ILogger logger, Guid eventId, int attempt, string error);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Critical, Message = "Gave up delivering alarm {EventId} after {Attempts} attempts: {Error}")]
    public static partial void GaveUp(ILogger logger, Guid eventId, int attempts, string error);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Critical, Message = "Alarm {EventId} would notify {Members} members but Notify:WebhookUrl is not set")]
    public static partial void NoWebhook(ILogger logger, Guid eventId, int members);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Alarm {EventId} is from group {Group}, which the site file does not list; nobody to notify")]
    public static partial void UnknownGroup(ILogger logger, string group, Guid eventId);
}
