using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Notify.Sms;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;

namespace EdgeWatch.Cloud.Incidents;

/// <summary>
/// Acknowledging an incident: through the API, a signed one-click link, or by replying <c>1</c> or <c>OK</c> to the SMS
/// from a number the incident notified. The first acknowledgement stops escalation and reminders; every one is in the
/// incident's audit trail, with who and how.
/// </summary>
public sealed partial class Acknowledgements(IIncidentStore incidents, SiteRegistry registry, ModemPool modems, AckLinks links, TimeProvider time, ILogger<Acknowledgements> logger)
    : IHostedService
{
    private static readonly string[] Yes = ["1", "OK", "Ok", "ok", "ĐÃ BIẾT", "Đã biết", "đã biết"];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        modems.SmsReceived = OnSmsAsync;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> ByUserAsync(Guid incident, string username, CancellationToken cancellationToken) =>
        incidents.AcknowledgeAsync(incident, username, "api", time.GetUtcNow(), cancellationToken);

    /// <summary>A signed link: the person is whoever of the registry has the number whose hash is <paramref name="who"/>.</summary>
    public async Task<string?> ByLinkAsync(Guid incident, string who, string signature, CancellationToken cancellationToken)
    {
        if (!links.Verify(incident, who, signature))
        {
            return null;
        }

        var name = People().FirstOrDefault(p => PhoneNumber.Normalise(p.Phone) is { } phone && AckLinks.Who(phone) == who)?.Name ?? who;
        await incidents.AcknowledgeAsync(incident, name, "link", time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return name;
    }

    private async Task OnSmsAsync(DeliveredSms sms, CancellationToken cancellationToken)
    {
        var phone = PhoneNumber.Normalise(sms.From);
        var masked = phone is null ? "?" : PhoneNumber.Masked(phone);
        if (phone is null || !Yes.Contains(sms.Text.Trim()))
        {
            IgnoredSms(logger, masked);
            return;
        }

        if (await incidents.OpenIncidentNotifyingAsync(phone, cancellationToken).ConfigureAwait(false) is not { } incident)
        {
            IgnoredSms(logger, masked);
            return;
        }

        var name = People().FirstOrDefault(p => PhoneNumber.Normalise(p.Phone) == phone)?.Name ?? PhoneNumber.Masked(phone);
        if (await incidents.AcknowledgeAsync(incident, name, "sms", time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            AcknowledgedBySms(logger, incident, name);
        }
    }

    private IEnumerable<PersonDocument> People()
    {
        var doc = registry.Current.Document;
        return doc.Groups.SelectMany(g => g.Households).SelectMany(h => h.Members).Cast<PersonDocument>().Concat(doc.Staff);
    }

    [LoggerMessage(EventId = 4410, Level = LogLevel.Information, Message = "Incident {Incident}: acknowledged by {Name} by replying to the SMS")]
    private static partial void AcknowledgedBySms(ILogger logger, Guid incident, string name);

    [LoggerMessage(EventId = 4411, Level = LogLevel.Information, Message = "An SMS from {Phone} acknowledges nothing (not 1 or OK, or no open incident notified it)")]
    private static partial void IgnoredSms(ILogger logger, string phone);
}
