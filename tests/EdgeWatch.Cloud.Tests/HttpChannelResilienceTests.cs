using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Notify.Zns;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Emulators;
using EdgeWatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace EdgeWatch.Cloud.Tests;

/// <summary>
/// The HTTP channels retry a transient failure within the attempt (Polly, Microsoft.Extensions.Http.Resilience), so a
/// blip costs no outbox backoff; Zalo's single-use refresh token is never retried blindly.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HttpChannelResilienceTests
{

    private static List<Storage.OutboxMessage> Rows(CloudRig rig, Guid incident, string channel) =>
        [.. rig.Store.ListNotificationsAsync(incident, 100, default).GetAwaiter().GetResult().Where(r => r.Channel == channel)];

    [Fact]
    public async Task AWebhookAnswering503OnceIsDeliveredWithinTheFirstAttempt()
    {
        await using var rig = await CloudRig.StartAsync();
        rig.Webhook.FailNext = 1;
        var alarm = EventStoreTests.Alarm();

        await rig.FireAsync(alarm);

        await Eventually.WaitAsync(() => rig.Webhook.Received.Count == 1, TimeSpan.FromSeconds(20), "the webhook, after one 503");
        Assert.Equal(1, rig.Webhook.Refused);
        await Eventually.WaitAsync(() => Rows(rig, alarm.Id, WebhookNotifier.ChannelName) is [{ Status: "delivered" }], TimeSpan.FromSeconds(10), "the row delivered");
        var row = Assert.Single(Rows(rig, alarm.Id, WebhookNotifier.ChannelName));
        Assert.Equal(1, row.Attempts);
        Assert.Equal(0, rig.Notifier.FailedAttempts);
        Assert.Equal([$"{alarm.Id:D}/webhook"], rig.Webhook.Keys.ToList());
    }

    [Fact]
    public async Task AZnsSendAnswering503IsRetriedInCallButARefreshAnswering503IsNotRetriedBlindly()
    {
        await using var zns = await ZnsEmulator.StartAsync("rt-initial");
        zns.UnavailableRefreshes = 1;
        await using var rig = await CloudRig.StartAsync(zns: zns);
        var members = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Group("g1")!.Households.SelectMany(h => h.Members)
            .Where(m => m.Channels.Contains(ZnsChannel.ChannelName)).ToList();
        var alarm = EventStoreTests.Alarm();

        await rig.FireAsync(alarm);

        // The refresh's 503 fails the first attempts: no second refresh request goes out with the same token in that call.
        await Eventually.WaitAsync(() => Rows(rig, alarm.Id, ZnsChannel.ChannelName).Any(r => r.LastError is not null || r.Status == "delivered"), TimeSpan.FromSeconds(20), "a first ZNS attempt");
        await Eventually.WaitAsync(() => zns.Refreshes == 1, TimeSpan.FromSeconds(20), "the outbox's later attempt refreshes");
        Assert.Equal(2, zns.RefreshRequests); // the 503, then the outbox's retry: never a retry inside the call
        await Eventually.WaitAsync(() => Rows(rig, alarm.Id, ZnsChannel.ChannelName).Count(r => r.Status == "delivered") == members.Count, TimeSpan.FromSeconds(30), "every member's ZNS delivered");
        Assert.Contains(Rows(rig, alarm.Id, ZnsChannel.ChannelName), r => r.Attempts == 2); // the send that met the 503 went back to the outbox

        // Now the send itself blips: a second alarm's messages all go on their first outbox attempt.
        zns.UnavailableSends = 2;
        var second = EventStoreTests.Alarm(seq: 2) with { Household = "h5" };
        await rig.FireAsync(second);
        await Eventually.WaitAsync(() => Rows(rig, second.Id, ZnsChannel.ChannelName) is { Count: > 0 } rows && rows.All(r => r.Status == "delivered"), TimeSpan.FromSeconds(30), "the second alarm's ZNS delivered");
        Assert.Equal(2, zns.UnavailableAnswers);
        Assert.All(Rows(rig, second.Id, ZnsChannel.ChannelName), r => Assert.Equal(1, r.Attempts));
    }
}
