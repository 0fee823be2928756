using EdgeWatch.Cloud.Notify.Sms;
using EdgeWatch.Cloud.Notify.Zns;
using EdgeWatch.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Notify;

/// <summary>
/// Reaching each person through their own channels in order of preference. A fire writes one notification per person
/// on their first channel that this site has (Zalo ZNS needs <c>Notify:Zns</c>; SMS and calls need a modem); when it
/// is refused (ZNS −118 no Zalo account, −133 outside the sending hours) or gives up (after
/// <see cref="NotifyOptions.FallbackAfter"/>), <see cref="Next"/> writes the next channel's, in the same transaction.
/// A person is reached once one channel accepted; anyone whose last channel failed is listed on the incident as
/// unreached. An SMS is followed by a second, longer one with the details, sent after every first message.
/// </summary>
public sealed class PersonAlerts(ZnsChannel zns, ModemPool modems, IOptions<NotifyOptions> options, TimeProvider time, ILogger<PersonAlerts> logger)
{
    public const int FirePriority = 0;
    public const int DetailsPriority = 10;

    public bool Available(string channel) => channel switch
    {
        ZnsChannel.ChannelName => zns.Enabled,
        SmsChannel.ChannelName or CallChannel.ChannelName => modems.Enabled,
        _ => false,
    };

    /// <summary>The first notification for every member with a valid number and a channel this site has.</summary>
    public IEnumerable<NewNotification> Fire(Guid incident, Notification built)
    {
        var now = time.GetUtcNow();
        foreach (var member in built.Members)
        {
            if (PhoneNumber.Normalise(member.Phone) is not { } phone)
            {
                continue; // refused at import; nothing to send to
            }

            var chain = member.Channels.Where(Available).ToList();
            if (chain.Count == 0)
            {
                PersonLog.NoChannel(logger, incident, member.Name, member.Channels);
                continue;
            }

            var alert = new PersonAlert
            {
                Kind = "fire",
                Name = member.Name,
                Phone = phone,
                Household = member.Household,
                Address = built.Address ?? built.Household,
                GroupName = built.GroupName,
                GroupShortName = built.GroupShortName,
                At = built.WallTime,
                Celsius = built.Cause?.StartsWith("heat", StringComparison.Ordinal) == true ? built.Value : null,
                Language = member.Language ?? options.Value.Language,
                Fallback = chain[1..],
            };
            foreach (var n in On(incident, chain[0], alert, now))
            {
                yield return n;
            }
        }
    }

    /// <summary>The notification on the person's next channel after <paramref name="failed"/>; none when it was the last.</summary>
    public IReadOnlyList<NewNotification> Next(OutboxMessage failed)
    {
        if (failed.Channel is not (ZnsChannel.ChannelName or SmsChannel.ChannelName or CallChannel.ChannelName))
        {
            return [];
        }

        var alert = PersonAlert.Parse(failed.Payload);
        var next = alert.Details ? [] : alert.Fallback.Where(Available).ToList();
        return next.Count == 0 ? [] : [.. On(failed.IncidentId, next[0], alert with { Fallback = next[1..] }, time.GetUtcNow())];
    }

    private IEnumerable<NewNotification> On(Guid incident, string channel, PersonAlert alert, DateTimeOffset now)
    {
        // Until the last channel, give up soon and fall back; the last one keeps trying.
        var giveUpAt = now + (alert.Fallback.Count > 0 ? options.Value.FallbackAfter : options.Value.GiveUpAfter);
        var key = channel == ZnsChannel.ChannelName ? $"{incident:N}-{alert.Phone}" : $"{incident:N}-{alert.Phone}-{channel}";
        yield return new NewNotification(channel, alert.Phone, FirePriority, alert.ToJson(), key, giveUpAt);
        if (channel == SmsChannel.ChannelName)
        {
            yield return new NewNotification(channel, alert.Phone, DetailsPriority, (alert with { Details = true, Fallback = [] }).ToJson(), key + "-details", now + options.Value.GiveUpAfter);
        }
    }
}

internal static partial class PersonLog
{
    [LoggerMessage(EventId = 4020, Level = LogLevel.Critical, Message = "Incident {Incident}: {Name} can't be reached: none of their channels ({Channels}) is set up on this site")]
    public static partial void NoChannel(ILogger logger, Guid incident, string name, IReadOnlyList<string> channels);
}
