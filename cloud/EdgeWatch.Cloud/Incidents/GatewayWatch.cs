using System.Collections.Concurrent;
using EdgeWatch.Cloud.Broker;
using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Incidents;

/// <summary>
/// Notices a gateway going offline and coming back. Any message from it counts as alive (<see cref="Seen"/>, from the
/// ingest), and so does its MQTT keepalive on the embedded broker, so a link busy with snapshots never looks silent.
/// Offline is its Will (<see cref="WillReceived"/>) or nothing for <see cref="NotifyOptions.OfflineAfter"/> (45 s,
/// checked every 5 s: within 50 s). Offline opens an incident that tells the technicians on duty (all technicians
/// when nobody is on shift); the gateway's next sign of life resolves it and tells whom it reached that it is back.
/// Watched are the gateways heard from since the aggregator started, those whose last stored status was online (so
/// one that died while the aggregator was down is noticed <see cref="NotifyOptions.OfflineAfter"/> after it starts),
/// and those with an unresolved offline incident: a registry gateway that was never installed raises nothing.
/// </summary>
public sealed partial class GatewayWatch(
    IIncidentStore incidents, EventStore store, PersonAlerts people, SiteRegistry registry, OutboxWorker worker, EmbeddedBroker broker, Silences silences,
    IOptions<NotifyOptions> options, TimeProvider time, ILogger<GatewayWatch> logger) : BackgroundService
{
    public const string Kind = "offline";
    public const string TechnicianRole = "technician";
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Sign> _signs = new();
    private readonly ConcurrentDictionary<string, Guid> _open = new();
    private readonly Dictionary<string, DateTime> _keepalives = [];
    private readonly SemaphoreSlim _step = new(1, 1);
    private readonly ConcurrentDictionary<string, Outage> _outages = new();

    /// <summary>A gateway's current or last outage: from its last sign of life to when it came back (null: still out).</summary>
    public sealed record Outage(Guid Incident, DateTimeOffset From, DateTimeOffset? To);

    /// <summary>
    /// The outage that implies a trouble raised at <paramref name="raisedAt"/> (by the gateway's clock): one going on,
    /// or one that ended less than <see cref="BacklogGrace"/> before, while its backlog drains.
    /// </summary>
    public Outage? Implying(string gateway, DateTimeOffset raisedAt) =>
        _outages.TryGetValue(gateway, out var o) && (o.To is null || (raisedAt >= o.From && raisedAt <= o.To.Value + BacklogGrace)) ? o : null;

    /// <summary>How long after coming back a trouble raised by the gateway still counts as part of the outage.</summary>
    public static readonly TimeSpan BacklogGrace = TimeSpan.FromSeconds(60);
    private bool _loaded;

    /// <summary>The last sign of life, and whether it was the Will (offline) rather than life.</summary>
    private sealed record Sign(DateTimeOffset At, bool Will);

    /// <summary>Gateways with an unresolved offline incident.</summary>
    public IReadOnlyCollection<string> Offline => [.. _open.Keys];

    /// <summary>A message from <paramref name="gateway"/> arrived: it is alive.</summary>
    public void Seen(string gateway) => _signs[gateway] = new Sign(time.GetUtcNow(), false);

    /// <summary>The gateway's Will (its status <c>online: false</c>): the broker lost it.</summary>
    public void WillReceived(string gateway) => _signs[gateway] = new Sign(time.GetUtcNow(), true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var tick = new PeriodicTimer(Every, time);
        try
        {
            do
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
            while (await tick.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Opens and resolves offline incidents as the signs say now; returns how many changed.</summary>
    public async Task<int> StepAsync(CancellationToken cancellationToken)
    {
        await _step.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await StepLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _step.Release();
        }
    }

    public override void Dispose()
    {
        _step.Dispose();
        base.Dispose();
    }

    private async Task<int> StepLockedAsync(CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            foreach (var open in await incidents.UnresolvedIncidentsAsync(Kind, cancellationToken).ConfigureAwait(false))
            {
                if (open.Alert is { } json && PersonAlert.Parse(json).Gateway is { } gw)
                {
                    _open.TryAdd(gw, open.Id);
                    _outages.TryAdd(gw, new Outage(open.Id, open.OpenedAt, null));
                }
            }

            var started = time.GetUtcNow();
            foreach (var known in await store.ListGatewaysAsync(cancellationToken).ConfigureAwait(false))
            {
                if (known.Online)
                {
                    _signs.TryAdd(known.Gateway, new Sign(started, false)); // online when last heard: it has OfflineAfter to speak
                }
            }

            _loaded = true;
        }

        await ObserveKeepalivesAsync().ConfigureAwait(false);
        var now = time.GetUtcNow();
        var changed = 0;
        foreach (var gateway in _signs.Keys.Union(_open.Keys).ToList())
        {
            var sign = _signs.GetValueOrDefault(gateway);
            var offline = sign is null || sign.Will || now - sign.At > options.Value.OfflineAfter;
            if (offline && !_open.ContainsKey(gateway) && sign is not null)
            {
                changed += await OpenAsync(gateway, sign, now, cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }
            else if (!offline && _open.TryGetValue(gateway, out var id))
            {
                var back = await incidents.ResolveIncidentAsync(id, gateway, "the gateway is back online", now,
                    (i, reached) => people.Closing(i, reached, PersonAlert.Online), cancellationToken).ConfigureAwait(false);
                _open.TryRemove(gateway, out _);
                _outages[gateway] = _outages.TryGetValue(gateway, out var outage) ? outage with { To = now } : new Outage(id, now, now);
                BackOnline(logger, gateway, id);
                changed += back ? 1 : 0;
            }
        }

        if (changed > 0)
        {
            worker.Wake();
        }

        return changed;
    }

    private async Task<bool> OpenAsync(string gateway, Sign sign, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var site = registry.Current.Document;
        if (site.Groups.FirstOrDefault(g => g.Gateway == gateway) is not { } group)
        {
            return false; // not in the registry: nobody to tell about it
        }

        var silence = await silences.MatchAsync(gateway, Kind, cancellationToken).ConfigureAwait(false);
        var technicians = silence is not null ? [] : TroubleIncidents.Technicians(site, now);

        var id = Guid.CreateVersion7(now);
        var template = new PersonAlert
        {
            Kind = PersonAlert.Offline, Name = "", Phone = "", Gateway = gateway, GroupName = group.Name, GroupShortName = group.ShortName,
            At = sign.At, Language = options.Value.Language,
        };
        var why = sign.Will ? "its Will: the broker lost the connection" : $"nothing heard for {(now - sign.At).TotalSeconds:0} s";
        await incidents.OpenIncidentAsync(
            new NewIncident(id, Kind, group.Id, template.ToJson(), [.. people.Staff(id, template, technicians, "")],
                new IncidentStep(now, "opened", gateway, $"{why}; " + (silence is not null ? Told.Silenced(silence) : Told.Whom(technicians)))),
            now, cancellationToken).ConfigureAwait(false);
        _open[gateway] = id;
        _outages[gateway] = new Outage(id, sign.At, null);
        WentOffline(logger, gateway, why, id);
        return true;
    }

    /// <summary>A keepalive (or any packet) the embedded broker got from a gateway since the last look is a sign of life.</summary>
    private async Task ObserveKeepalivesAsync()
    {
        if (broker.Server is not { IsStarted: true } server)
        {
            return;
        }

        var gateways = registry.Current.Document.Groups.Select(g => g.Gateway).ToList();
        foreach (var client in await server.GetClientsAsync().ConfigureAwait(false))
        {
            if (gateways.FirstOrDefault(g => client.Id == g || client.Id.EndsWith("-" + g, StringComparison.Ordinal)) is not { } gateway)
            {
                continue;
            }

            var last = client.LastPacketReceivedTimestamp;
            if (_keepalives.TryGetValue(client.Id, out var before) && last > before && _signs.ContainsKey(gateway))
            {
                Seen(gateway);
            }

            _keepalives[client.Id] = last;
        }
    }

    [LoggerMessage(EventId = 4500, Level = LogLevel.Error, Message = "Gateway {Gateway} is offline ({Why}): incident {Incident}, the technicians are told")]
    private static partial void WentOffline(ILogger logger, string gateway, string why, Guid incident);

    [LoggerMessage(EventId = 4501, Level = LogLevel.Warning, Message = "Gateway {Gateway} is back online: incident {Incident} resolved")]
    private static partial void BackOnline(ILogger logger, string gateway, Guid incident);

    [LoggerMessage(EventId = 4502, Level = LogLevel.Error, Message = "Gateway watch: a step could not be taken: {Error}")]
    private static partial void StepFailed(ILogger logger, string error);
}
