using EdgeWatch.Mqtt;
using System.Net.Http.Json;
using System.Threading.Channels;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Notify;

/// <summary>
/// Delivers alarm notifications to the configured webhook: every member of every household of the group.
/// Each notification is delivered on its own task, so one slow or failing delivery never holds up the next alarm;
/// failures are retried with backoff and recorded.
/// </summary>
public sealed class WebhookNotifier : BackgroundService
{
    private readonly Channel<FireEvent> _pending = Channel.CreateUnbounded<FireEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IHttpClientFactory _http;
    private readonly SiteDirectory _site;
    private readonly EventStore _store;
    private readonly NotifyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookNotifier> _logger;
    private readonly SemaphoreSlim _concurrency = new(16);

    public WebhookNotifier(IHttpClientFactory http, SiteDirectory site, EventStore store, IOptions<NotifyOptions> options, TimeProvider time, ILogger<WebhookNotifier> logger)
    {
        _http = http;
        _site = site;
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public long Delivered => Interlocked.Read(ref _delivered);
    private long _delivered;

    /// <summary>Alarms handed to the notifier (one per newly stored alarm).</summary>
    public long Queued => Interlocked.Read(ref _queued);
    private long _queued;

    /// <summary>Failed delivery attempts so far.</summary>
    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);
    private long _failedAttempts;

    /// <summary>Queues an alarm for notification. Called once per newly stored event.</summary>
    public void Enqueue(FireEvent alarm)
    {
        Interlocked.Increment(ref _queued);
        _pending.Writer.TryWrite(alarm);
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
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var inflight = new List<Task>();
        try
        {
            await foreach (var e in _pending.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await _concurrency.WaitAsync(stoppingToken).ConfigureAwait(false);
                inflight.RemoveAll(t => t.IsCompleted);
                inflight.Add(DeliverAsync(e, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(inflight).ConfigureAwait(false);
    }

    private async Task DeliverAsync(FireEvent e, CancellationToken ct)
    {
        try
        {
            var notification = Build(e);
            if (_site.Group(e.Group) is null)
            {
                NotifyLog.UnknownGroup(_logger, e.Group, e.Id);
            }

            if (_options.WebhookUrl is not { } url)
            {
                NotifyLog.NoWebhook(_logger, e.Id, notification.Members.Count);
                return;
            }

            var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));
            var started = _time.GetTimestamp();
            for (var attempt = 1; ; attempt++)
            {
                string error;
                try
                {
                    using var client = _http.CreateClient("webhook");
                    client.Timeout = _options.Timeout;
                    using var response = await client.PostAsJsonAsync(url, notification, CloudJsonContext.Default.Notification, ct).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref _delivered);
                        NotifyLog.Delivered(_logger, e.Id, e.Group, notification.Members.Count, attempt);
                        await _store.RecordNotificationAsync(e.Id, true, attempt, null, _time.GetUtcNow(), ct).ConfigureAwait(false);
                        return;
                    }

                    error = $"HTTP {(int)response.StatusCode}";
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    error = ex.Message;
                }

                Interlocked.Increment(ref _failedAttempts);
                NotifyLog.Failed(_logger, e.Id, attempt, error);
                if (_time.GetElapsedTime(started) > _options.GiveUpAfter)
                {
                    await _store.RecordNotificationAsync(e.Id, false, attempt, error, _time.GetUtcNow(), ct).ConfigureAwait(false);
                    NotifyLog.GaveUp(_logger, e.Id, attempt, error);
                    return;
                }

                await Task.Delay(backoff.Next(), _time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            _concurrency.Release();
        }
    }

    public override void Dispose()
    {
        _concurrency.Dispose();
        base.Dispose();
    }
}

internal static partial class NotifyLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Notified {Members} members of group {Group} about alarm {EventId} (attempt {Attempt})")]
    public static partial void Delivered(ILogger logger, Guid eventId, string group, int members, int attempt);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Webhook delivery of alarm {EventId} failed (attempt {Attempt}): {Error}; retrying")]
    public static partial void Failed(ILogger logger, Guid eventId, int attempt, string error);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Critical, Message = "Gave up delivering alarm {EventId} after {Attempts} attempts: {Error}")]
    public static partial void GaveUp(ILogger logger, Guid eventId, int attempts, string error);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Critical, Message = "Alarm {EventId} would notify {Members} members but Notify:WebhookUrl is not set")]
    public static partial void NoWebhook(ILogger logger, Guid eventId, int members);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Alarm {EventId} is from group {Group}, which the site file does not list; nobody to notify")]
    public static partial void UnknownGroup(ILogger logger, string group, Guid eventId);
}
