using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Notify;

/// <summary>
/// Everything a new fire incident sends, all at once: the site webhook, a message to every member of every household
/// of the group on their first channel (<see cref="PersonAlerts"/>), and the level-1 duty officers on shift. Written
/// into the outbox in the alarm's transaction (<see cref="For"/>), with the time the incident escalates if nobody
/// acknowledges; the worker is woken after the commit (<see cref="Written"/>). When the gateway resets the group, the
/// incident is resolved and everyone it reached gets the all clear (<see cref="AllClearAsync"/>).
/// </summary>
public sealed class FireNotifications(
    WebhookNotifier webhook, PersonAlerts people, SiteRegistry registry, IIncidentStore incidents, OutboxWorker worker, IOptions<NotifyOptions> options, TimeProvider time)
{
    public const string OfficerRole = "officer";

    public IncidentPlan For(FireEvent alarm, Guid incident)
    {
        var notification = webhook.Build(alarm);
        var template = people.Template(notification);
        var now = time.GetUtcNow();
        var officers = Roster.OnDuty(registry.Current.Document, OfficerRole, 1, now);
        return new IncidentPlan(
            [.. webhook.NotificationsFor(alarm, notification, incident), .. people.Fire(incident, notification), .. people.Staff(incident, template, officers, "")],
            template.ToJson(),
            now + options.Value.EscalateAfter);
    }

    public void Written() => worker.Wake();

    public async Task<int> AllClearAsync(FireEvent reset, CancellationToken cancellationToken)
    {
        var resolved = await incidents.ResolveGroupAsync(reset.Group, reset.Gateway, time.GetUtcNow(), people.AllClear, cancellationToken).ConfigureAwait(false);
        if (resolved.Count > 0)
        {
            worker.Wake();
        }

        return resolved.Count;
    }
}
