using EdgeWatch.Cloud.Notify.Email;
using EdgeWatch.Cloud.Notify.Sms;
using EdgeWatch.Cloud.Notify.Zns;
using EdgeWatch.Cloud.Site;
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
public sealed class PersonAlerts(ZnsChannel zns, ModemPool modems, SmtpChannel smtp, AckLinks links, IOptions<NotifyOptions> options, TimeProvider time, ILogger<PersonAlerts> logger)
{
    public const int FirePriority = 0;
    public const int AllClearPriority = 5;
    public const int DetailsPriority = 10;

    /// <summary>Messages about the system itself (a gateway offline or back): after everything about a fire.</summary>
    public const int OperationsPriority = 20;

    public bool Available(string channel) => channel switch
    {
        ZnsChannel.ChannelName => zns.Enabled,
        SmsChannel.ChannelName or CallChannel.ChannelName => modems.Enabled,
        SmtpChannel.ChannelName => smtp.Enabled,
        _ => false,
    };

    /// <summary>What every message of an incident says, before it is addressed to a person (kept on the incident).</summary>
    public PersonAlert Template(Notification built) => new()
    {
        Kind = PersonAlert.Fire,
        Name = "",
        Phone = "",
        Household = built.Household,
        Address = built.Address ?? built.Household,
        GroupName = built.GroupName,
        GroupShortName = built.GroupShortName,
        At = built.WallTime,
        Celsius = built.Cause?.StartsWith("heat", StringComparison.Ordinal) == true ? built.Value : null,
        Language = options.Value.Language,
    };

    /// <summary>The first notification for every member with a valid number and a channel this site has.</summary>
    public IEnumerable<NewNotification> Fire(Guid incident, Notification built) =>
        People(incident, Template(built), built.Members.Select(m => ((PersonDocument)new MemberDocument { Name = m.Name, Phone = m.Phone, Channels = [.. m.Channels], Language = m.Language, Email = m.Email }, "member")), "");

    /// <summary>Notifications for staff (duty officers) at a step of the incident (<c>""</c>, <c>L2</c>, <c>R1</c>…).</summary>
    /// <param name="avoid">Channels not to use (a channel that is failing, for the message that says so).</param>
    public IEnumerable<NewNotification> Staff(Guid incident, PersonAlert template, IEnumerable<StaffDocument> staff, string step, IReadOnlyCollection<string>? avoid = null) =>
        People(incident, template, staff.Select(s => ((PersonDocument)s, s.Role)), step, avoid ?? []);

    private IEnumerable<NewNotification> People(Guid incident, PersonAlert template, IEnumerable<(PersonDocument Person, string Role)> people, string step, IReadOnlyCollection<string>? avoid = null)
    {
        var now = time.GetUtcNow();
        foreach (var (person, role) in people)
        {
            if (PhoneNumber.Normalise(person.Phone) is not { } phone)
            {
                continue; // refused at import; nothing to send to
            }

            // Zalo sends only approved templates, and there is one for fire alone: other messages go another way.
            var chain = person.Channels.Where(c => Available(c) && avoid?.Contains(c) != true && (c != SmtpChannel.ChannelName || person.Email is not null)
                                                   && (c != ZnsChannel.ChannelName || template.Kind == PersonAlert.Fire)).ToList();
            if (chain.Count == 0)
            {
                PersonLog.NoChannel(logger, incident, person.Name, person.Channels);
                continue;
            }

            var alert = template with
            {
                Name = person.Name,
                Phone = phone,
                Email = person.Email,
                Role = role,
                Step = step,
                Language = person.Language ?? options.Value.Language,
                Fallback = chain[1..],
                AckLink = links.Link(incident, phone),
            };
            foreach (var n in On(incident, chain[0], alert, now))
            {
                yield return n;
            }
        }
    }

    /// <summary>
    /// The all clear, to everyone the incident reached, on the channel that reached them: Zalo with the all-clear
    /// template where there is one, else SMS (a call can't say it), for those who have SMS.
    /// </summary>
    public IReadOnlyList<NewNotification> AllClear(Guid incident, IEnumerable<ReachedPerson> reached) => Closing(incident, reached, PersonAlert.AllClear);

    /// <summary>The message that closes an incident (<paramref name="kind"/>: the all clear, a gateway back online) to whom it reached.</summary>
    public IReadOnlyList<NewNotification> Closing(Guid incident, IEnumerable<ReachedPerson> reached, string kind)
    {
        var now = time.GetUtcNow();
        var list = new List<NewNotification>();
        foreach (var person in reached)
        {
            var reachedWith = PersonAlert.Parse(person.Payload);
            var alert = reachedWith with
            {
                Kind = kind, At = kind == PersonAlert.AllClear ? reachedWith.At : now, Step = "clear", Fallback = [], Details = false, AckLink = null,
            };
            var channel = person.Channel switch
            {
                ZnsChannel.ChannelName when zns.SendsAllClear && kind == PersonAlert.AllClear => ZnsChannel.ChannelName,
                SmtpChannel.ChannelName => SmtpChannel.ChannelName,
                _ => modems.Enabled ? SmsChannel.ChannelName : null,
            };
            if (channel is not null)
            {
                list.Add(new NewNotification(channel, person.Destination, kind == PersonAlert.AllClear ? AllClearPriority : OperationsPriority, alert.ToJson(), Key(incident, channel, alert), now + options.Value.GiveUpAfter));
            }
        }

        return list;
    }

    /// <summary>The notification on the person's next channel after <paramref name="failed"/>; none when it was the last.</summary>
    public IReadOnlyList<NewNotification> Next(OutboxMessage failed)
    {
        if (failed.Channel is not (ZnsChannel.ChannelName or SmsChannel.ChannelName or CallChannel.ChannelName or SmtpChannel.ChannelName))
        {
            return [];
        }

        var alert = PersonAlert.Parse(failed.Payload);
        var next = alert.Details || alert.Kind is PersonAlert.AllClear or PersonAlert.Online ? [] : alert.Fallback.Where(Available).ToList();
        return next.Count == 0 ? [] : [.. On(failed.IncidentId, next[0], alert with { Fallback = next[1..] }, time.GetUtcNow())];
    }

    private IEnumerable<NewNotification> On(Guid incident, string channel, PersonAlert alert, DateTimeOffset now)
    {
        // Until the last channel, give up soon and fall back; the last one keeps trying.
        var giveUpAt = now + (alert.Fallback.Count > 0 ? options.Value.FallbackAfter : options.Value.GiveUpAfter);
        var key = Key(incident, channel, alert);
        var priority = alert.Kind == PersonAlert.Fire ? FirePriority : OperationsPriority;
        yield return new NewNotification(channel, channel == SmtpChannel.ChannelName ? alert.Email! : alert.Phone, priority, alert.ToJson(), key, giveUpAt);
        if (channel == SmsChannel.ChannelName && alert.Kind == PersonAlert.Fire)
        {
            yield return new NewNotification(channel, alert.Phone, DetailsPriority, (alert with { Details = true, Fallback = [] }).ToJson(), key + "-details", now + options.Value.GiveUpAfter);
        }
    }

    /// <summary>The idempotency key (ZNS <c>tracking_id</c>): one message per incident, person, channel and step.</summary>
    private static string Key(Guid incident, string channel, PersonAlert alert) =>
        (channel == ZnsChannel.ChannelName ? $"{incident:N}-{alert.Phone}" : $"{incident:N}-{alert.Phone}-{channel}") + (alert.Step.Length > 0 ? "-" + alert.Step : "");
}

internal static partial class PersonLog
{
    [LoggerMessage(EventId = 4020, Level = LogLevel.Critical, Message = "Incident {Incident}: {Name} can't be reached: none of their channels ({Channels}) is set up on this site")]
    public static partial void NoChannel(ILogger logger, Guid incident, string name, IReadOnlyList<string> channels);
}
