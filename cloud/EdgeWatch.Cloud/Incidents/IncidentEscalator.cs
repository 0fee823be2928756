using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Incidents;

/// <summary>
/// Moves unacknowledged fire incidents on, the way PagerDuty's escalation policies do: when nobody has acknowledged
/// within <see cref="NotifyOptions.EscalateAfter"/> (90 s), the next roster level's officers on duty are notified;
/// after the top level, everyone on duty is reminded every <see cref="NotifyOptions.RemindEvery"/>, up to
/// <see cref="NotifyOptions.MaxReminders"/>. Each step and its notifications are one transaction that only applies
/// if nobody acknowledged first. The members of the group are told once, at the start, and never wait for this.
/// </summary>
public sealed partial class IncidentEscalator(
    IIncidentStore incidents, PersonAlerts people, SiteRegistry registry, OutboxWorker worker, IOptions<NotifyOptions> options, TimeProvider time, ILogger<IncidentEscalator> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await tick.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await StepAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException or System.Text.Json.JsonException)
                {
                    StepFailed(logger, ex.Message); // tried again on the next tick
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Takes every step that is due now; returns how many were taken.</summary>
    public async Task<int> StepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var taken = 0;
        foreach (var incident in await incidents.DueIncidentsAsync(now, cancellationToken).ConfigureAwait(false))
        {
            if (incident.Alert is not { } json)
            {
                continue;
            }

            var template = PersonAlert.Parse(json);
            var site = registry.Current.Document;
            var zone = Zone(template);
            var top = Roster.TopLevel(site, FireNotifications.OfficerRole);
            var o = options.Value;
            IncidentAdvance advance;
            if (incident.Level < top)
            {
                var level = incident.Level + 1;
                var onDuty = Roster.OnDutyFor(site, zone, FireNotifications.OfficerRole, level, now);
                var next = level < top ? now + o.EscalateAfter : o.MaxReminders > 0 ? now + o.RemindEvery : (DateTimeOffset?)null;
                advance = new IncidentAdvance(
                    incident.Id, incident.Level, incident.Reminders, level, incident.Reminders, next,
                    [.. people.Staff(incident.Id, template, onDuty, $"L{level}")],
                    new IncidentStep(now, "escalated", null, $"level {level}: {Names(onDuty)}"));
            }
            else
            {
                var reminder = incident.Reminders + 1;
                var onDuty = Enumerable.Range(1, Math.Max(top, 1)).SelectMany(l => Roster.OnDutyFor(site, zone, FireNotifications.OfficerRole, l, now)).Distinct().ToList();
                advance = new IncidentAdvance(
                    incident.Id, incident.Level, incident.Reminders, incident.Level, reminder, reminder < o.MaxReminders ? now + o.RemindEvery : null,
                    [.. people.Staff(incident.Id, template, onDuty, $"R{reminder}")],
                    new IncidentStep(now, "reminded", null, $"reminder {reminder} of {o.MaxReminders}: {Names(onDuty)}"));
            }

            if (await incidents.AdvanceIncidentAsync(advance, now, cancellationToken).ConfigureAwait(false))
            {
                taken++;
                Advanced(logger, incident.Id, advance.Log.Step, advance.Log.Detail ?? "");
            }
        }

        if (taken > 0)
        {
            worker.Wake();
        }

        return taken;
    }

    /// <summary>The registry's zone a motion incident is about (its officers are told first at every level), or null.</summary>
    private ZoneDocument? Zone(PersonAlert template) =>
        template is { Kind: PersonAlert.Motion, Gateway: { } gateway, Camera: { } camera, Zone: { } zone }
            ? registry.Current.Camera(gateway, camera)?.Zones.FirstOrDefault(z => z.Id == zone)
            : null;

    private static string Names(IReadOnlyCollection<StaffDocument> staff) => staff.Count == 0 ? "nobody on duty" : string.Join(", ", staff.Select(s => s.Name));

    [LoggerMessage(EventId = 4400, Level = LogLevel.Warning, Message = "Incident {Incident}: nobody acknowledged; {Step} ({Detail})")]
    private static partial void Advanced(ILogger logger, Guid incident, string step, string detail);

    [LoggerMessage(EventId = 4401, Level = LogLevel.Error, Message = "Incidents: a step could not be taken: {Error}")]
    private static partial void StepFailed(ILogger logger, string error);
}
