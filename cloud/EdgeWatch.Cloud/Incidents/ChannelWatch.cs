using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Notify.Email;
using EdgeWatch.Cloud.Notify.Sms;
using EdgeWatch.Cloud.Notify.Zns;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Incidents;

/// <summary>
/// Tells the technicians when a way of reaching people stops working, through whatever still works: a modem not
/// registered on the network or faulty (SMS and calls), the Zalo token that can't be refreshed, the SMTP server that
/// doesn't answer. A failure lasting <see cref="NotifyOptions.ChannelFailingFor"/> (2 min) opens a <c>channel</c>
/// incident whose messages avoid the failing channel; when it works again, the incident is resolved and they hear it.
/// </summary>
public sealed partial class ChannelWatch(
    IIncidentStore incidents, PersonAlerts people, SiteRegistry registry, OutboxWorker worker, ZnsChannel zns, ModemPool modems, SmtpChannel smtp,
    IOptions<NotifyOptions> options, TimeProvider time, ILogger<ChannelWatch> logger) : BackgroundService
{
    public const string Kind = "channel";
    private readonly Dictionary<string, DateTimeOffset> _since = [];
    private readonly Dictionary<string, Guid> _open = [];
    private readonly SemaphoreSlim _step = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = options.Value.ChannelFailingFor < TimeSpan.FromSeconds(10) ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(10);
        using var tick = new PeriodicTimer(every, time);
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
                    StepFailed(logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _step.Dispose();
        base.Dispose();
    }

    /// <summary>The channels failing now: the outbox channel it stops, and why.</summary>
    public IReadOnlyList<(string Channel, string Source, string Why)> Failing()
    {
        var failing = new List<(string, string, string)>();
        if (modems.Enabled && modems.Status.All(s => s.Fault is not null || !s.Registered))
        {
            var why = string.Join("; ", modems.Status.Select(s => s.Fault ?? "not registered").Distinct());
            failing.Add((SmsChannel.ChannelName, "SMS", why));
        }

        if (zns.Enabled && zns.RefreshFailing)
        {
            failing.Add((ZnsChannel.ChannelName, "Zalo", "the access token can't be refreshed"));
        }

        if (smtp.Enabled && smtp.Failing)
        {
            failing.Add((SmtpChannel.ChannelName, "email", "the SMTP server doesn't answer"));
        }

        return failing;
    }

    public async Task<int> StepAsync(CancellationToken cancellationToken)
    {
        await _step.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var failing = Failing();
            var changed = 0;
            foreach (var (channel, source, why) in failing)
            {
                var since = _since.TryGetValue(channel, out var s) ? s : _since[channel] = now;
                if (_open.ContainsKey(channel) || now - since < options.Value.ChannelFailingFor)
                {
                    continue;
                }

                var site = registry.Current.Document;
                var technicians = TroubleIncidents.Technicians(site, now);
                var id = Guid.CreateVersion7(now);
                var template = new PersonAlert
                {
                    Kind = PersonAlert.ChannelFailing, Name = "", Phone = "", Source = source, Cause = why, At = since, Language = options.Value.Language,
                };
                IReadOnlyCollection<string> avoid = channel == SmsChannel.ChannelName ? [SmsChannel.ChannelName, CallChannel.ChannelName] : [channel];
                await incidents.OpenIncidentAsync(
                    new NewIncident(id, Kind, "", template.ToJson(), [.. people.Staff(id, template, technicians, "", avoid)], new IncidentStep(now, "opened", channel, $"{why}; {Told.Whom(technicians)}")),
                    now, cancellationToken).ConfigureAwait(false);
                _open[channel] = id;
                ChannelFailing(logger, source, why);
                changed++;
            }

            foreach (var channel in _since.Keys.Except(failing.Select(f => f.Channel)).ToList())
            {
                _since.Remove(channel);
                if (_open.Remove(channel, out var id))
                {
                    await incidents.ResolveIncidentAsync(id, channel, "the channel works again", now, (i, reached) => people.Closing(i, reached, PersonAlert.ChannelRecovered), cancellationToken)
                        .ConfigureAwait(false);
                    changed++;
                }
            }

            if (changed > 0)
            {
                worker.Wake();
            }

            return changed;
        }
        finally
        {
            _step.Release();
        }
    }

    [LoggerMessage(EventId = 4530, Level = LogLevel.Error, Message = "Channel {Channel} is failing ({Why}): the technicians are told through their other channels")]
    private static partial void ChannelFailing(ILogger logger, string channel, string why);

    [LoggerMessage(EventId = 4531, Level = LogLevel.Error, Message = "Channel watch: a step could not be taken: {Error}")]
    private static partial void StepFailed(ILogger logger, string error);
}
