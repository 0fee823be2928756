using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Notify.Sms;
using EdgeWatch.Cloud.Notify.Zns;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Emulators;
using EdgeWatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace EdgeWatch.Cloud.Tests;

/// <summary>SMS and calls through a modem emulator on a real pseudo-terminal (socat), and each person's fallback.</summary>
[Trait("Category", "Integration")]
public sealed class SmsChannelTests : ModemTest
{

    protected override TimeSpan SendDelay => TimeSpan.FromMilliseconds(300);


    private static List<(MemberDocument Member, string Phone)> Members(CloudRig rig, string group = "g1") =>
        [.. rig.App.Services.GetRequiredService<SiteRegistry>().Current.Group(group)!.Households.SelectMany(h => h.Members).Select(m => (m, PhoneNumber.Normalise(m.Phone)!))];

    private static Dictionary<string, string?> Fast => new()
    {
        ["Notify:Modem:CommandTimeout"] = "00:00:03",
        ["Notify:Modem:RingFor"] = "00:00:04",
        ["Notify:Modem:StatusInterval"] = "00:00:01",
        ["Notify:FallbackAfter"] = "00:00:05",
    };

    [Fact]
    public async Task SmsOnlyMembersAndThoseWithoutZaloGetAVietnameseSmsAndEveryFirstSmsGoesBeforeAnyDetails()
    {
        await using var zns = await ZnsEmulator.StartAsync("rt-initial");
        await using var rig = await CloudRig.StartAsync(zns: zns, modems: [Modem], extra: Fast);
        var members = Members(rig);
        var smsOnly = members.Where(m => !m.Member.Channels.Contains(ZnsChannel.ChannelName)).Select(m => m.Phone).ToList();
        Assert.NotEmpty(smsOnly);
        var noZalo = members.First(m => m.Member.Channels.SequenceEqual(["zns", "sms"])).Phone;
        zns.NoZaloAccount[noZalo] = true;
        zns.NoZaloAnswerDelay = 4 * SendDelay; // the SMS-only members' first SMS are out before the fallback's is written
        var bySms = smsOnly.Append(noZalo).Order().ToList();

        var alarm = EventStoreTests.Alarm();
        await rig.FireAsync(alarm);
        await Eventually.WaitAsync(() => Modem.Messages.Count >= 2 * bySms.Count, TimeSpan.FromSeconds(60), "a fire SMS and its details to every member reached by SMS");

        var messages = Modem.Messages.ToList();
        var first = messages.Take(bySms.Count).ToList();
        Assert.Equal(bySms, first.Select(m => m.Destination).Order());
        var household = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Group("g1")!.Households.Single(h => h.Id == alarm.Household);
        Assert.All(first, m =>
        {
            Assert.True(m.Ucs2);
            Assert.Equal(1, m.Parts);
            Assert.StartsWith($"CHÁY tại {household.Address!.Split(", ")[0]}", m.Text, StringComparison.Ordinal);
            Assert.Contains("Tổ PCCC số 1", m.Text, StringComparison.Ordinal);
        });
        Assert.All(messages.Skip(bySms.Count), m => Assert.StartsWith($"EdgeWatch: báo cháy tại {household.Address}", m.Text, StringComparison.Ordinal));

        // Zalo reached everyone else; nobody is left unreached, and the refused ZNS row stays on record.
        Assert.Equal(members.Select(m => m.Phone).Except(bySms).Order(), zns.Accepted.Select(m => m.Phone).Order());
        await Eventually.WaitAsync(() => rig.Store.ListNotificationsAsync(alarm.Id, 200, default).GetAwaiter().GetResult().Count(n => n.Channel == SmsChannel.ChannelName && n.Status == "delivered") == 2 * bySms.Count, TimeSpan.FromSeconds(10), "the SMS rows delivered");
        Assert.Empty(await rig.Store.UnreachedAsync(alarm.Id, default));
        var refused = Assert.Single(await rig.Store.ListNotificationsAsync(alarm.Id, 200, default), n => n.Status == "failed");
        Assert.Equal((ZnsChannel.ChannelName, noZalo), (refused.Channel, refused.Destination));
    }

    [Fact]
    public async Task ACmsErrorIsRetriedAndAModemThatHangsIsReopenedAndItsMessageFlaggedAPossibleDuplicate()
    {
        Modem.CmsErrors.Enqueue(500);
        Modem.HangNext = 1;
        await using var rig = await CloudRig.StartAsync(modems: [Modem], extra: Fast, site: d => OnlySms(d, households: 2));
        var alarm = EventStoreTests.Alarm() with { Household = "h1" };
        await rig.FireAsync(alarm);

        await Eventually.WaitAsync(
            () => Sms(rig, alarm) is { Count: 8 } rows && rows.All(r => r.Status == "delivered"),
            TimeSpan.FromSeconds(60), "every SMS delivered after the failures");
        var rows = Sms(rig, alarm);
        Assert.Equal(2, rows.Count(r => r.Attempts > 1)); // the +CMS ERROR and the hang
        var flagged = Assert.Single(rows, r => r.PossibleDuplicate);
        Assert.True(flagged.Attempts > 1);
        Assert.Equal(4, Modem.Messages.Count(m => m.Text.StartsWith("CHÁY", StringComparison.Ordinal))); // the hung send never reached the network
    }

    [Fact]
    public async Task AModemLeftAtItsSmsPromptByAnEarlierRunIsFreedAndSendsTheNextSms()
    {
        await using (var port = new FileStream(Modem.Port, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, false))
        {
            port.Write("AT+CMGS=25\r"u8); // the earlier run stopped here, before the PDU and its Ctrl-Z
        }

        await Eventually.WaitAsync(() => Modem.AtPrompt, TimeSpan.FromSeconds(5), "the modem at its prompt");
        await using var rig = await CloudRig.StartAsync(modems: [Modem], extra: Fast, site: d => OnlySms(d, households: 1));
        var alarm = EventStoreTests.Alarm() with { Household = "h1" };
        await rig.FireAsync(alarm);

        await Eventually.WaitAsync(() => Sms(rig, alarm) is { Count: > 0 } rows && rows.All(r => r.Status == "delivered"), TimeSpan.FromSeconds(30), "every SMS delivered");
        Assert.False(Modem.AtPrompt);
        Assert.Equal(Sms(rig, alarm).Count, Modem.Messages.Count); // the abandoned message went nowhere
    }

    [Fact]
    public async Task AModemOffTheNetworkShowsInHealthAndItsSmsGoOutOnceItRegisters()
    {
        Modem.Registered = false;
        await using var rig = await CloudRig.StartAsync(modems: [Modem], extra: Fast, site: d => OnlySms(d, households: 1));
        var pool = rig.App.Services.GetRequiredService<ModemPool>();
        await Eventually.WaitAsync(() => pool.Status.Single().Fault == "not registered on the network", TimeSpan.FromSeconds(10), "the modem's trouble");
        using var http = new HttpClient();
        var health = await http.GetStringAsync(new Uri($"http://127.0.0.1:{rig.HttpPort}/api/health"));
        Assert.Contains("not registered on the network", health, StringComparison.Ordinal);

        var alarm = EventStoreTests.Alarm() with { Household = "h1" };
        await rig.FireAsync(alarm);
        await Eventually.WaitAsync(() => Sms(rig, alarm).Any(r => r.Attempts >= 1 && r.LastError is not null), TimeSpan.FromSeconds(20), "an attempt that found no modem");
        Assert.Empty(Modem.Messages);
        Modem.Registered = true;
        await Eventually.WaitAsync(() => Modem.Messages.Count == 4, TimeSpan.FromSeconds(30), "the SMS once the modem registered");
        await Eventually.WaitAsync(() => pool.Status.Single().Fault is null, TimeSpan.FromSeconds(5), "the trouble cleared");
    }

    [Fact]
    public async Task ACallRingsTheMembersPhoneAndABusyLineIsCalledAgain()
    {
        await using var rig = await CloudRig.StartAsync(modems: [Modem], extra: Fast, site: d =>
        {
            OnlySms(d, households: 1);
            d.Groups[0].Households[0].Members.ForEach(m => m.Channels = ["call"]);
        });
        var phones = Members(rig).Select(m => m.Phone).ToList();
        Modem.Answering[phones[0]] = true;
        Modem.AnswerAfter = TimeSpan.FromSeconds(1);
        Modem.BusyNumbers[phones[1]] = true;

        var alarm = EventStoreTests.Alarm() with { Household = "h1" };
        await rig.FireAsync(alarm);
        await Eventually.WaitAsync(() => Modem.Calls.Any(c => c.Number == phones[1]), TimeSpan.FromSeconds(30), "the busy line tried");
        Modem.BusyNumbers.Clear();
        await Eventually.WaitAsync(
            () => rig.Store.ListNotificationsAsync(alarm.Id, 100, default).GetAwaiter().GetResult().Where(r => r.Channel == CallChannel.ChannelName).All(r => r.Status == "delivered"),
            TimeSpan.FromSeconds(60), "both calls accepted");

        var calls = Modem.Calls.ToList();
        Assert.Contains(calls, c => c.Number == phones[0] && c.Answered);
        Assert.Contains(calls, c => c.Number == phones[1] && !c.Alerted); // busy
        Assert.Contains(calls, c => c.Number == phones[1] && c.Alerted && !c.Answered); // rang, and the modem hung up
        var rows = await rig.Store.ListNotificationsAsync(alarm.Id, 100, default);
        Assert.True(rows.Single(r => r.Destination == phones[1] && r.Channel == CallChannel.ChannelName).Attempts >= 2);
    }

    [Fact]
    public async Task OnOneModemAFiresFirstSmsGoBeforeACallThatWaits()
    {
        Modem.SendDelay = TimeSpan.FromMilliseconds(500);
        await using var rig = await CloudRig.StartAsync(modems: [Modem], extra: Fast, site: d =>
        {
            OnlySms(d, households: 3);
            d.Groups[0].Households[2].Members.ForEach(m => m.Channels = ["call"]);
        });
        var callers = Members(rig).Where(m => m.Member.Channels[0] == "call").Select(m => $"call {m.Phone}").ToHashSet();
        var alarm = EventStoreTests.Alarm() with { Household = "h1" };
        await rig.FireAsync(alarm);
        await Eventually.WaitAsync(() => Modem.Operations.Count(callers.Contains) == 2 && Modem.Messages.Count == 8, TimeSpan.FromSeconds(60), "4 fire SMS, their details and 2 calls");

        // Whatever took the idle modem first, from then on every first SMS goes before a waiting call, and every
        // call before anyone's details.
        var ops = Modem.Operations.ToList();
        var firstCall = ops.FindIndex(callers.Contains);
        var smsBeforeCall = ops.Take(firstCall).Count(o => o.StartsWith("sms", StringComparison.Ordinal));
        Assert.True(firstCall == 0 || smsBeforeCall == 4, string.Join(" | ", ops));
        var details = Modem.Messages.Where(m => m.Text.StartsWith("EdgeWatch", StringComparison.Ordinal)).Select(m => $"sms {m.Destination}").ToList();
        Assert.True(ops.FindLastIndex(callers.Contains) < ops.Count - details.Count, string.Join(" | ", ops));
    }

    [Fact]
    public async Task APersonWhoseEveryChannelFailsIsListedUnreached()
    {
        Modem.Registered = false;
        await using var zns = await ZnsEmulator.StartAsync("rt-initial");
        var extra = Fast;
        extra["Notify:FallbackAfter"] = "00:00:01";
        extra["Notify:GiveUpAfter"] = "00:00:03";
        await using var rig = await CloudRig.StartAsync(zns: zns, modems: [Modem], extra: extra, site: d =>
        {
            d.Groups[0].Households.RemoveRange(1, d.Groups[0].Households.Count - 1);
            d.Groups[0].Households[0].Members.RemoveAt(1);
        });
        var phone = Assert.Single(Members(rig)).Phone;
        zns.NoZaloAccount[phone] = true;

        var alarm = EventStoreTests.Alarm() with { Household = "h1" };
        await rig.FireAsync(alarm);
        await Eventually.WaitAsync(() => rig.Store.UnreachedAsync(alarm.Id, default).GetAwaiter().GetResult().Count == 1, TimeSpan.FromSeconds(30), "the member listed as unreached");
        var unreached = Assert.Single(await rig.Store.UnreachedAsync(alarm.Id, default));
        Assert.Equal((phone, SmsChannel.ChannelName), (unreached.Phone, unreached.LastChannel));
        Assert.Contains("no modem is ready", unreached.LastError, StringComparison.Ordinal);
    }

    private static List<Storage.OutboxMessage> Sms(CloudRig rig, FireEvent alarm) =>
        [.. rig.Store.ListNotificationsAsync(alarm.Id, 100, default).GetAwaiter().GetResult().Where(r => r.Channel == SmsChannel.ChannelName)];

    /// <summary>Group g1 alone, its first <paramref name="households"/> households, everyone on SMS only.</summary>
    private static void OnlySms(SiteDocument site, int households)
    {
        site.Groups.RemoveRange(1, site.Groups.Count - 1);
        site.Groups[0].Households.RemoveRange(households, site.Groups[0].Households.Count - households);
        site.Groups[0].Households.ForEach(h => h.Members.ForEach(m => m.Channels = ["sms"]));
    }
}
