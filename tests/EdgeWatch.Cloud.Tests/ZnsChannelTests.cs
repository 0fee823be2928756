using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Notify.Zns;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Emulators;
using EdgeWatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace EdgeWatch.Cloud.Tests;

[Trait("Category", "Integration")]
public class ZnsChannelTests
{

    [Fact]
    public async Task FireReachesEveryMemberOfTheGroupByZaloWithTheirNameAndARotatedToken()
    {
        await using var zns = await ZnsEmulator.StartAsync("rt-initial");
        await using var rig = await CloudRig.StartAsync(zns: zns);
        var group = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Group("g1")!;
        var members = group.Households.SelectMany(h => h.Members).Where(m => m.Channels.Contains(ZnsChannel.ChannelName)).ToList();
        Assert.True(members.Count < group.Households.Sum(h => h.Members.Count)); // SMS-only members: see SmsChannelTests
        var alarm = EventStoreTests.Alarm();
        await rig.FireAsync(alarm);

        var phones = members.Select(m => PhoneNumber.Normalise(m.Phone)).ToHashSet();
        await Eventually.WaitAsync(() => zns.Accepted.Count(m => phones.Contains(m.Phone)) >= members.Count, TimeSpan.FromSeconds(20), "a ZNS message to every member");
        var sent = zns.Accepted.Where(m => phones.Contains(m.Phone)).ToList(); // the duty officers get theirs too
        Assert.Equal(members.Select(m => PhoneNumber.Normalise(m.Phone)).Order(), sent.Select(m => m.Phone).Order());
        var household = group.Households.Single(h => h.Id == alarm.Household);
        foreach (var member in members)
        {
            var message = Assert.Single(sent, m => m.Phone == PhoneNumber.Normalise(member.Phone));
            Assert.Equal(member.Name, (string?)message.TemplateData["name"]);
            Assert.Equal(household.Address, (string?)message.TemplateData["address"]);
            Assert.Equal(group.Name, (string?)message.TemplateData["group"]);
            Assert.Equal($"{alarm.Id:N}-{message.Phone}", message.TrackingId);
        }

        // The wall time of the alarm, in Vietnam's time.
        Assert.Equal(TimeZoneInfo.ConvertTime(alarm.WallTime, VietnamTime.Zone).ToString("HH:mm dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture), (string?)sent[0].TemplateData["time"]);
        Assert.Equal(1, zns.Refreshes); // one refresh for all of them, and the rotated pair is what the aggregator kept
        var kept = await rig.Store.GetZnsTokensAsync(default);
        Assert.Equal(zns.CurrentRefreshToken, kept!.RefreshToken);
        await Eventually.WaitAsync(() => rig.Store.ListNotificationsAsync(alarm.Id, 100, default).GetAwaiter().GetResult().Count(n => n.Channel == ZnsChannel.ChannelName && n.Status == "delivered") == members.Count, TimeSpan.FromSeconds(10), "every ZNS row delivered");
    }

    [Fact]
    public async Task NoZaloAccountIsRefusedAndListedWhileAnExpiredTokenIsRefreshedOnceAndRetried()
    {
        await using var zns = await ZnsEmulator.StartAsync("rt-initial");
        await using var rig = await CloudRig.StartAsync(zns: zns);
        var members = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Group("g1")!.Households.SelectMany(h => h.Members).Where(m => m.Channels.Contains(ZnsChannel.ChannelName)).ToList();
        var without = PhoneNumber.Normalise(members[3].Phone)!; // no modem here: SMS, their fallback, is not available
        zns.NoZaloAccount[without] = true;

        // A first alarm brings a token; then Zalo expires it before the second group's alarm.
        var first = EventStoreTests.Alarm();
        await rig.FireAsync(first);
        var phones = members.Select(m => PhoneNumber.Normalise(m.Phone)).ToHashSet();
        int ToMembers() => zns.Accepted.Count(m => phones.Contains(m.Phone)); // the duty officers get theirs too
        await Eventually.WaitAsync(() => ToMembers() == members.Count - 1, TimeSpan.FromSeconds(20), "the first alarm's messages");
        zns.ExpireAccessToken();
        var second = EventStoreTests.Alarm(seq: 2) with { Household = "h5" };
        await rig.FireAsync(second);
        await Eventually.WaitAsync(() => ToMembers() == 2 * (members.Count - 1), TimeSpan.FromSeconds(20), "the second alarm's messages");
        Assert.Equal(2, zns.Refreshes);
        Assert.Contains(ZnsChannel.InvalidAccessToken, zns.Errors);

        await Eventually.WaitAsync(
            () => rig.Store.ListNotificationsAsync(null, 100, default).GetAwaiter().GetResult().Count(n => n.Status == "failed") == 2,
            TimeSpan.FromSeconds(10), "the refused rows");
        var refused = (await rig.Store.ListNotificationsAsync(null, 100, default)).Where(n => n.Status == "failed").ToList();
        Assert.All(refused, n => Assert.Equal((ZnsChannel.ChannelName, without), (n.Channel, n.Destination)));
        Assert.All(refused, n => Assert.Contains("-118", n.LastError, StringComparison.Ordinal));
        Assert.All(refused, n => Assert.Equal(1, n.Attempts)); // a refusal is not retried
    }

    [Theory]
    [InlineData("Notify:Zns:ApiUrl", "http://127.0.0.1:9/", "Notify:Zns:OAuthUrl, Notify:Zns:AppId, Notify:Zns:SecretKey, Notify:Zns:RefreshToken, Notify:Zns:FireTemplateId required with Notify:Zns:ApiUrl")]
    [InlineData("Notify:WebhookUrl", "http://127.0.0.1:9/hook", "Notify:WebhookSecret is required with Notify:WebhookUrl (at least 16 characters)")]
    [InlineData("Notify:Language", "fr", "Notify:Language must be 'vi' or 'en' (was 'fr')")]
    public async Task BadNotificationSettingsStopStartNamingTheKey(string key, string value, string expected)
    {
        var dir = Eventually.TempDirectory("edgewatch-notify-options");
        DemoTown.Create("town", 1, 2).Save(Path.Combine(dir, "site.json"));
        var settings = new Dictionary<string, string?>
        {
            ["Broker:Port"] = "0",
            ["Storage:ConnectionString"] = $"Data Source={Path.Combine(dir, "cloud.db")}",
            ["Site:File"] = Path.Combine(dir, "site.json"),
            [key] = value,
        };
        await using var app = CloudApp.Build([$"--urls=http://127.0.0.1:{Eventually.FreePort()}"], settings, b => b.Logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.None));
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(expected, ex.Failures);
    }

    [Theory]
    [InlineData("+84 90 001 0101", "84900010101")]
    [InlineData("090.001.0101", "84900010101")]
    [InlineData("84900010101", "84900010101")]
    [InlineData("0900 01 01", null)]
    [InlineData("+1 415 555 0100", null)]
    [InlineData("0000000000", null)]
    public void PhoneNumbersAreNormalisedToTheFormZnsTakes(string phone, string? expected) =>
        Assert.Equal(expected, PhoneNumber.Normalise(phone));
}
