using EdgeWatch.Cloud.Notify.Zns;
using EdgeWatch.Cloud.Storage;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Notify;

/// <summary>
/// Everything a new fire incident sends, all at once: the site webhook, and a ZNS message to every member of every
/// household of the group. Written into the outbox in the alarm's transaction (<see cref="For"/>); the worker is woken
/// after the commit (<see cref="Written"/>).
/// </summary>
public sealed class FireNotifications(WebhookNotifier webhook, ZnsChannel zns, OutboxWorker worker, IOptions<NotifyOptions> options, TimeProvider time)
{
    public IReadOnlyList<NewNotification> For(FireEvent alarm, Guid incident)
    {
        var notification = webhook.Build(alarm);
        var giveUpAt = time.GetUtcNow() + options.Value.GiveUpAfter;
        return
        [
            .. webhook.NotificationsFor(alarm, notification, incident),
            .. zns.FireNotifications(incident, notification.Members, notification.Address ?? alarm.Household, notification.GroupName, alarm.WallTime, giveUpAt),
        ];
    }

    public void Written() => worker.Wake();
}
