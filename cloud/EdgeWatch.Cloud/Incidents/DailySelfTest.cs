using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Notify.Email;
using EdgeWatch.Cloud.Notify.Sms;
using EdgeWatch.Cloud.Notify.Zns;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Incidents;

/// <summary>
/// Once a day at <see cref="NotifyOptions.SelfTestAt"/> (08:00 in <c>Asia/Ho_Chi_Minh</c>) the technicians on shift
/// (every technician when nobody is) get a message that the aggregator is up, with each channel's state
/// (<c>TỰ KIỂM TRA 08:00 02/03: EdgeWatch chạy. Zalo OK, SMS 1/1, email OK</c>). Its absence is the alarm: a
/// technician who has no message by a quarter past eight knows something is wrong. It goes through the outbox like
/// everything else (a <c>self-test</c> incident, resolved at once), so it takes the same path a fire would.
/// </summary>
public sealed partial class DailySelfTest(
    IIncidentStore incidents, PersonAlerts people, SiteRegistry registry, OutboxWorker worker, ZnsChannel zns, ModemPool modems, SmtpChannel smtp,
    IOptions<NotifyOptions> options, TimeProvider time, ILogger<DailySelfTest> logger) : BackgroundService
{
    public const string Kind = "self-test";
    private readonly SemaphoreSlim _step = new(1, 1);
    private DateOnly? _sentFor;

    public override void Dispose()
    {
        _step.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var tick = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        try
        {
            while (await tick.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await StepAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
                {
                    Failed(logger, ex.Message); // tried again on the next tick
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Sends today's message if it is due and not sent yet; returns whether it sent one.</summary>
    public async Task<bool> StepAsync(CancellationToken cancellationToken)
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

    private async Task<bool> StepLockedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, VietnamTime.Zone);
        var today = DateOnly.FromDateTime(local.DateTime);
        var at = ShiftTime.TryParse(options.Value.SelfTestAt, out var parsed) ? parsed : TimeSpan.FromHours(8); // validated at start
        if (local.TimeOfDay < at || _sentFor == today)
        {
            return false;
        }

        _sentFor ??= await LastSentAsync(cancellationToken).ConfigureAwait(false);
        if (_sentFor == today)
        {
            return false;
        }

        var site = registry.Current.Document;
        var technicians = TroubleIncidents.Technicians(site, now);
        var id = Guid.CreateVersion7(now);
        var template = new PersonAlert { Kind = PersonAlert.SelfTest, Name = "", Phone = "", At = now, Language = options.Value.Language, Summary = Summary() };
        await incidents.OpenIncidentAsync(
            new NewIncident(id, Kind, "", template.ToJson(), [.. people.Staff(id, template, technicians, "")], new IncidentStep(now, "opened", null, $"{template.Summary}; {Told.Whom(technicians)}")),
            now, cancellationToken).ConfigureAwait(false);
        await incidents.ResolveIncidentAsync(id, "self-test", "sent", now, (_, _) => [], cancellationToken).ConfigureAwait(false);
        _sentFor = today;
        worker.Wake();
        Sent(logger, template.Summary!, technicians.Count);
        return true;
    }

    /// <summary>Each channel as a technician reads it: OK, off (not set up), or failing.</summary>
    public string Summary()
    {
        var english = options.Value.Language == "en";
        string State(bool enabled, bool failing) => !enabled ? (english ? "off" : "tắt") : failing ? (english ? "FAILING" : "LỖI") : "OK";
        var usable = modems.Status.Count(s => s.Fault is null && s.Registered);
        var sms = modems.Enabled ? $"SMS {usable}/{modems.Status.Count}" : $"SMS {State(false, false)}";
        return $"Zalo {State(zns.Enabled, zns.RefreshFailing)}, {sms}, email {State(smtp.Enabled, smtp.Failing)}";
    }

    /// <summary>The local date of the last self-test sent, so a restart doesn't send a second one that day.</summary>
    private async Task<DateOnly?> LastSentAsync(CancellationToken cancellationToken)
    {
        var recent = await incidents.RecentIncidentsAsync(Kind, 1, cancellationToken).ConfigureAwait(false);
        var last = recent.Count > 0 ? recent[0] : null;
        return last is null ? null : DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(last.OpenedAt, VietnamTime.Zone).DateTime);
    }

    [LoggerMessage(EventId = 4520, Level = LogLevel.Information, Message = "Daily self-test sent to {Count} technicians: {Summary}")]
    private static partial void Sent(ILogger logger, string summary, int count);

    [LoggerMessage(EventId = 4521, Level = LogLevel.Error, Message = "Daily self-test: could not be sent: {Error}")]
    private static partial void Failed(ILogger logger, string error);
}
