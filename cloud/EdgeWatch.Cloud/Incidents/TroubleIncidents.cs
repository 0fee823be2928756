using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Incidents;

/// <summary>
/// A gateway's troubles (a detector line open or shorted, a heat probe lost, a siren without feedback, storage…) as
/// incidents for the technicians, grouped the way Alertmanager groups alerts:
/// <list type="bullet">
/// <item>the first trouble of a gateway opens an incident and tells the technicians on shift (every technician when
/// nobody is);</item>
/// <item>further troubles of that gateway join the open incident and tell nobody;</item>
/// <item>a new incident within <see cref="NotifyOptions.TroubleRepeatAfter"/> of the last one that told them opens
/// silently (rate limit);</item>
/// <item>a trouble the gateway raised while it was offline, or delivered from its backlog just after, is implied by the
/// outage: it is written on the offline incident and tells nobody (inhibition);</item>
/// <item>when every trouble of the incident has cleared, it is resolved and whoever it reached is told.</item>
/// </list>
/// Each step is in the incident's audit trail, with the trouble's channel and cause as its actor, so an aggregator
/// restart rebuilds the open troubles from it.
/// </summary>
public sealed partial class TroubleIncidents(
    IIncidentStore incidents, PersonAlerts people, SiteRegistry registry, GatewayWatch watch, OutboxWorker worker, Silences silences,
    IOptions<NotifyOptions> options, TimeProvider time, ILogger<TroubleIncidents> logger) : IDisposable
{
    public const string Kind = "trouble";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, (Guid Id, HashSet<string> Active)> _open = [];
    private readonly Dictionary<string, DateTimeOffset> _lastTold = [];
    private bool _loaded;

    /// <summary>Takes a fresh trouble or trouble-cleared event; returns what it did (for the log and the tests).</summary>
    public async Task<string> HandleAsync(FireEvent e, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LoadAsync(cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            var key = $"{e.Channel}/{e.Cause}";
            var open = _open.GetValueOrDefault(e.Gateway);
            if (e.Kind == FireEventKind.TroubleCleared)
            {
                if (open.Active is null || !open.Active.Remove(key))
                {
                    return "nothing open";
                }

                if (open.Active.Count > 0)
                {
                    await incidents.LogIncidentStepAsync(open.Id, new IncidentStep(now, "cleared", key, e.Detail), cancellationToken).ConfigureAwait(false);
                    return "cleared";
                }

                _open.Remove(e.Gateway);
                await incidents.ResolveIncidentAsync(open.Id, key, "every trouble cleared", now, (i, reached) => people.Closing(i, reached, PersonAlert.TroubleCleared), cancellationToken)
                    .ConfigureAwait(false);
                worker.Wake();
                return "resolved";
            }

            if (watch.Implying(e.Gateway, e.WallTime) is { } outage)
            {
                await incidents.LogIncidentStepAsync(outage.Incident, new IncidentStep(now, "inhibited", key, $"trouble raised during the outage: {e.Detail}"), cancellationToken).ConfigureAwait(false);
                return "inhibited";
            }

            if (open.Active is not null)
            {
                if (open.Active.Add(key))
                {
                    await incidents.LogIncidentStepAsync(open.Id, new IncidentStep(now, "joined", key, e.Detail), cancellationToken).ConfigureAwait(false);
                }

                return "joined";
            }

            var site = registry.Current.Document;
            var group = site.Groups.FirstOrDefault(g => g.Gateway == e.Gateway);
            var limited = _lastTold.TryGetValue(e.Gateway, out var told) && now - told < options.Value.TroubleRepeatAfter;
            var silence = limited ? null : await silences.MatchAsync(e.Gateway, Kind, cancellationToken).ConfigureAwait(false);
            var technicians = limited || silence is not null ? [] : Technicians(site, now);
            var id = Guid.CreateVersion7(now);
            var template = new PersonAlert
            {
                Kind = PersonAlert.Trouble, Name = "", Phone = "", Gateway = e.Gateway, GroupName = group?.Name, GroupShortName = group?.ShortName,
                Household = e.Household, Source = e.Channel, Cause = e.Cause, At = e.WallTime, Language = options.Value.Language,
            };
            var detail = (limited ? $"told nobody: technicians were told of this gateway at {told:HH:mm:ss}Z (rate limit)"
                : silence is not null ? Told.Silenced(silence) : Told.Whom(technicians)) + $": {e.Detail}";
            await incidents.OpenIncidentAsync(
                new NewIncident(id, Kind, group?.Id ?? e.Group, template.ToJson(), [.. people.Staff(id, template, technicians, "")], new IncidentStep(now, "opened", key, detail)),
                now, cancellationToken).ConfigureAwait(false);
            _open[e.Gateway] = (id, [key]);
            if (technicians.Count > 0)
            {
                _lastTold[e.Gateway] = now;
                worker.Wake();
            }

            Opened(logger, e.Gateway, key, id, limited);
            return limited ? "rate-limited" : silence is not null ? "silenced" : "opened";
        }
        finally
        {
            _gate.Release();
        }
    }

    internal static IReadOnlyList<StaffDocument> Technicians(SiteDocument site, DateTimeOffset now) =>
        Roster.OnDuty(site, GatewayWatch.TechnicianRole, 1, now) is { Count: > 0 } onDuty ? onDuty : [.. site.Staff.Where(s => s.Role == GatewayWatch.TechnicianRole)];

    /// <summary>The open trouble incidents and their active troubles, from the audit trail.</summary>
    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }

        foreach (var incident in await incidents.UnresolvedIncidentsAsync(Kind, cancellationToken).ConfigureAwait(false))
        {
            if (incident.Alert is not { } json || PersonAlert.Parse(json).Gateway is not { } gateway)
            {
                continue;
            }

            var active = new HashSet<string>();
            foreach (var step in await incidents.IncidentLogAsync(incident.Id, cancellationToken).ConfigureAwait(false))
            {
                _ = step.Step switch
                {
                    "opened" or "joined" when step.Actor is { } a => active.Add(a),
                    "cleared" when step.Actor is { } c => active.Remove(c),
                    _ => false,
                };
            }

            _open[gateway] = (incident.Id, active);
        }

        _loaded = true;
    }

    public void Dispose() => _gate.Dispose();

    [LoggerMessage(EventId = 4510, Level = LogLevel.Warning, Message = "Gateway {Gateway}: trouble {Trouble} opens incident {Incident} (rate-limited: {Limited})")]
    private static partial void Opened(ILogger logger, string gateway, string trouble, Guid incident, bool limited);
}

/// <summary>How an incident's first audit step says whom it told.</summary>
internal static class Told
{
    public static string Whom(IReadOnlyCollection<StaffDocument> staff) =>
        $"told {(staff.Count == 0 ? "nobody (no technicians)" : string.Join(", ", staff.Select(t => t.Name)))}";

    public static string Silenced(Silence silence) => $"told nobody: silenced by {silence.CreatedBy} until {silence.EndsAt:yyyy-MM-dd HH:mm}Z ({silence.Comment})";
}
