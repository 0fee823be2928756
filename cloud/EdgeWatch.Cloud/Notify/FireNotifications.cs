using EdgeWatch.Cloud.Storage;
using EdgeWatch.Protocol;

namespace EdgeWatch.Cloud.Notify;

/// <summary>
/// Everything a new fire incident sends, all at once: the site webhook, and a message to every member of every
/// household of the group on their first channel (<see cref="PersonAlerts"/>). Written into the outbox in the alarm's transaction (<see cref="For"/>); the worker is woken
/// after the commit (<see cref="Written"/>).
/// </summary>
public sealed class FireNotifications(WebhookNotifier webhook, PersonAlerts people, OutboxWorker worker)
{
    public IReadOnlyList<NewNotification> For(FireEvent alarm, Guid incident)
    {
        var notification = webhook.Build(alarm);
        return [.. webhook.NotificationsFor(alarm, notification, incident), .. people.Fire(incident, notification)];
    }

    public void Written() => worker.Wake();
}
