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
/// the <see cref="OutboxWorker"/> sends what is pending through <see cref="SendAsync"/>, signed and with an
/// idempotency key. After a crash the pending rows are still there and go out on restart; the key lets the receiver
/// drop a delivery it already had (the one that was in flight).
/// </summary>
public sealed class WebhookNotifier : INotificationChannel
{
    public const string ChannelName = "webhook";
    private const int FirePriority = 0;

    private readonly IHttpClientFactory _http;
    private readonly SiteRegistry _site;
    private readonly INotificationOutbox _outbox;
    private readonly NotifyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookNotifier> _logger;

    public WebhookNotifier(IHttpClientFactory http, SiteRegistry site, INotificationOutbox outbox, IOptions<NotifyOptions> options, TimeProvider time, ILogger<WebhookNotifier> logger)
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
    public IReadOnlyList<NewNotification> NotificationsFor(FireEvent alarm, Notification built, Guid incident)
    {
        var notification = built with { IncidentId = incident };
        if (_site.Current.Group(alarm.Group) is null)
        {
            NotifyLog.UnknownGroup(_logger, alarm.Group, alarm.Id);
        }

        if (_options.WebhookUrl is not { } url)
        {
            NotifyLog.NoWebhook(_logger, alarm.Id, notification.Members.Count);
            return [];
        }

        Interlocked.Increment(ref _queued);
        var payload = System.Text.Json.JsonSerializer.Serialize(notification, CloudJsonContext.Default.Notification);
        return [new NewNotification(ChannelName, url.ToString(), FirePriority, payload, $"{incident:D}/{ChannelName}", _time.GetUtcNow() + _options.GiveUpAfter)];
    }

    public string Name => ChannelName;

    public Notification Build(FireEvent e)
    {
        var group = _site.Current.Group(e.Group);
        var household = group?.Households.FirstOrDefault(h => h.Id == e.Household);
        var members = group?.Households.SelectMany(h => h.Members.Select(m => new NotifiedMember(m.Name, m.Phone, h.Id) { Channels = m.Channels, Language = m.Language, Email = m.Email })).ToList() ?? [];
        return new Notification
        {
            EventId = e.Id,
            Kind = EventStore.KindName(e.Kind),
            Site = e.Site,
            Group = e.Group,
            GroupName = group?.Name,
            GroupShortName = group?.ShortName,
            Gateway = e.Gateway,
            Household = e.Household,
            Address = household?.Address,
            Channel = e.Channel,
            Cause = e.Cause,
            Value = e.Value,
            WallTime = e.WallTime,
            Members = members,
            Text = FireMessage.Text(_options.Language, household?.Address ?? e.Household, group?.Name),
        };
    }

    public int Concurrency => 16;

    public async Task<DeliveryOutcome> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
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
        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _delivered);
                return DeliveryOutcome.Accepted();
            }

            Interlocked.Increment(ref _failedAttempts);
            return DeliveryOutcome.Retry($"HTTP {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failedAttempts);
            return DeliveryOutcome.Retry(ex.Message);
        }
    }
}

internal static partial class NotifyLog
{



    [LoggerMessage(EventId = 4003, Level = LogLevel.Critical, Message = "Alarm {EventId} would notify {Members} members but Notify:WebhookUrl is not set")]
    public static partial void NoWebhook(ILogger logger, Guid eventId, int members);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Alarm {EventId} is from group {Group}, which the site file does not list; nobody to notify")]
    public static partial void UnknownGroup(ILogger logger, string group, Guid eventId);
}
