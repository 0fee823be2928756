using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Incidents;

/// <summary>
/// Motion in an armed zone as an incident for the duty officers on shift, with the signed link to the privacy-masked
/// snapshot, grouped and rate-limited as Alertmanager would:
/// <list type="bullet">
/// <item>a motion start in an armed zone opens an incident for its camera and zone and tells the zone's level-1 officers
/// on shift (the registry's <see cref="ZoneDocument.Officers"/>), or every level-1 officer on shift when the zone names
/// none or none of them is on;</item>
/// <item>more motion on that camera and zone within <see cref="NotifyOptions.MotionGroupFor"/> (5 min) of the last
/// joins it and tells nobody;</item>
/// <item>past <see cref="NotifyOptions.MotionPerHour"/> (6) incidents that told them in an hour, a camera's new ones
/// open silently;</item>
/// <item>a silence of the gateway's <c>motion</c> covers it.</item>
/// </list>
/// Unacknowledged, it escalates and reminds like a fire (<see cref="IncidentEscalator"/>). Motion never delays a fire:
/// its messages go after everything about one.
/// </summary>
public sealed partial class MotionIncidents(
    IIncidentStore incidents, PersonAlerts people, SiteRegistry registry, OutboxWorker worker, AckLinks links, Silences silences,
    IOptions<NotifyOptions> options, TimeProvider time, ILogger<MotionIncidents> logger) : IDisposable
{
    public const string Kind = "motion";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<(string Gateway, string Camera, string Zone), Group> _open = [];

    /// <summary>An open motion incident: its last motion, and the motion joined since its audit last said so.</summary>
    private sealed class Group(Guid id, DateTimeOffset at)
    {
        public Guid Id { get; } = id;
        public DateTimeOffset Last { get; set; } = at;
        public DateTimeOffset Logged { get; set; } = at;
        public int Unlogged { get; set; }
    }
    private readonly Dictionary<(string Gateway, string Camera), Queue<DateTimeOffset>> _told = [];

    /// <summary>Takes a fresh motion event; returns what it did (for the log and the tests).</summary>
    public async Task<string> HandleAsync(MotionEvent m, CancellationToken cancellationToken)
    {
        if (!m.Armed || m.Phase != "start" || m.Zones.Count == 0)
        {
            return "not an armed start";
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var o = options.Value;
            var key = (m.Gateway, m.Camera, m.Zones[0]);
            if (_open.TryGetValue(key, out var open) && now - open.Last < o.MotionGroupFor)
            {
                // A camera can report motion many times a second: the audit says so at most once a minute.
                open.Last = now;
                open.Unlogged++;
                if (now - open.Logged >= TimeSpan.FromMinutes(1) || open.Unlogged == 1)
                {
                    await incidents.LogIncidentStepAsync(open.Id, new IncidentStep(now, "joined", m.Camera, $"{open.Unlogged} more motion event(s), the last {m.EventId}"), cancellationToken)
                        .ConfigureAwait(false);
                    (open.Logged, open.Unlogged) = (now, 0);
                }

                return "joined";
            }

            var told = _told.TryGetValue((m.Gateway, m.Camera), out var q) ? q : _told[(m.Gateway, m.Camera)] = new Queue<DateTimeOffset>();
            while (told.Count > 0 && now - told.Peek() >= TimeSpan.FromHours(1))
            {
                told.Dequeue();
            }

            var directory = registry.Current;
            var site = directory.Document;
            var camera = directory.Camera(m.Gateway, m.Camera);
            var zone = camera?.Zones.FirstOrDefault(z => z.Id == m.Zones[0]);
            var group = camera?.Group is { } cameraGroup ? directory.Group(cameraGroup) : site.Groups.FirstOrDefault(g => g.Gateway == m.Gateway);
            var limited = told.Count >= o.MotionPerHour;
            var silence = limited ? null : await silences.MatchAsync(m.Gateway, Kind, cancellationToken).ConfigureAwait(false);
            var officers = limited || silence is not null ? [] : Roster.OnDutyFor(site, zone, FireNotifications.OfficerRole, 1, now);
            var id = Guid.CreateVersion7(now);
            var template = new PersonAlert
            {
                Kind = PersonAlert.Motion, Name = "", Phone = "", Gateway = m.Gateway, GroupName = group?.Name, GroupShortName = group?.ShortName,
                Camera = m.Camera, Zone = m.Zones[0], CameraName = camera?.Name, ZoneName = zone?.Name,
                SnapshotLink = links.SnapshotLink(m.EventId), SnapshotEvent = m.EventId, At = m.WallTime, Language = o.Language,
            };
            var detail = limited ? $"told nobody: {o.MotionPerHour} motion incidents of {m.Camera} told in the last hour (rate limit)"
                : silence is not null ? Told.Silenced(silence) : $"told {(officers.Count == 0 ? "nobody (no officer on shift)" : string.Join(", ", officers.Select(s => s.Name)))}";
            await incidents.OpenIncidentAsync(
                new NewIncident(id, Kind, group?.Id ?? "", template.ToJson(), [.. people.Staff(id, template, officers, "")], new IncidentStep(now, "opened", m.Camera, $"motion {m.EventId}: {detail}"))
                {
                    NextStepAt = officers.Count > 0 ? now + o.EscalateAfter : null,
                },
                now, cancellationToken).ConfigureAwait(false);
            _open[key] = new Group(id, now);
            if (officers.Count > 0)
            {
                told.Enqueue(now);
                worker.Wake();
            }

            Opened(logger, m.Gateway, m.Camera, m.Zones[0], id, detail);
            return limited ? "rate-limited" : silence is not null ? "silenced" : "opened";
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    [LoggerMessage(EventId = 4540, Level = LogLevel.Warning, Message = "Motion on {Gateway}/{Camera} in armed zone {Zone}: incident {Incident}, {Detail}")]
    private static partial void Opened(ILogger logger, string gateway, string camera, string zone, Guid incident, string detail);
}
