using System.Text;
using EdgeWatch.Protocol;
using MQTTnet;
using Microsoft.Extensions.Time.Testing;

namespace EdgeWatch.Cloud.Tests;

[Trait("Category", "Integration")]
public class IngestTests
{
    private static MqttApplicationMessage Message(string topic, byte[] payload) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).Build();

    [Fact]
    public async Task AlarmIsStoredAndEveryGroupMemberIsNotified()
    {
        await using var rig = await CloudRig.StartAsync();
        var alarm = EventStoreTests.Alarm();
        await rig.Ingest.HandleAsync(Message(Topics.FireEvents("town", "gw-g1"), ProtocolJson.Serialize(alarm)), default);

        await Eventually.WaitAsync(() => !rig.Webhook.Received.IsEmpty, TimeSpan.FromSeconds(10), "the webhook");
        var n = Assert.Single(rig.Webhook.Received);
        Assert.Equal(alarm.Id, n.EventId);
        Assert.Equal("g1", n.Group);
        Assert.Equal("h3", n.Household);
        Assert.Equal(16, n.Members.Count); // 8 households, 2 members each
        Assert.Equal(8, n.Members.Select(m => m.Household).Distinct().Count());
    }

    [Fact]
    public async Task RedeliveredAlarmIsNotNotifiedTwice()
    {
        await using var rig = await CloudRig.StartAsync();
        var payload = ProtocolJson.Serialize(EventStoreTests.Alarm());
        await rig.Ingest.HandleAsync(Message(Topics.FireEvents("town", "gw-g1"), payload), default);
        await rig.Ingest.HandleAsync(Message(Topics.FireEvents("town", "gw-g1"), payload), default);
        Assert.Equal(1, rig.Notifier.Queued); // the redelivery was never handed to the notifier
        await Eventually.WaitAsync(() => rig.Notifier.Delivered == 1, TimeSpan.FromSeconds(10), "the webhook");
        Assert.Single(rig.Webhook.Received);
        Assert.Equal(1, rig.Ingest.Duplicates);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("{\"v\":9,\"id\":\"019cab6a-d418-79e3-8e6d-7db2e2c0b0d0\",\"seq\":1,\"site\":\"town\",\"gateway\":\"gw-g1\",\"group\":\"g1\",\"kind\":\"alarm\",\"wallTime\":\"2026-01-01T00:00:00Z\",\"monotonicMs\":1,\"clockSynced\":true}", "unsupported version")]
    [InlineData("{\"v\":1,\"id\":\"019cab6a-d418-79e3-8e6d-7db2e2c0b0d0\",\"seq\":1,\"site\":\"town\",\"gateway\":\"gw-g1\",\"group\":\"g1\",\"kind\":\"explosion\",\"wallTime\":\"2026-01-01T00:00:00Z\",\"monotonicMs\":1,\"clockSynced\":true}", "not valid JSON")]
    public async Task BadPayloadIsRejectedWithTheReasonAndKept(string payload, string reason)
    {
        await using var rig = await CloudRig.StartAsync();
        await rig.Ingest.HandleAsync(Message(Topics.FireEvents("town", "gw-g1"), Encoding.UTF8.GetBytes(payload)), default);
        var rejected = Assert.Single(await rig.Store.ListRejectedAsync(10, default));
        Assert.Contains(reason, rejected.Reason);
        Assert.Equal(payload, rejected.Payload);
        Assert.Empty(await rig.Store.ListAsync(10, null, null, default));
    }

    [Fact]
    public async Task EventOnAnotherGatewaysTopicIsRejected()
    {
        await using var rig = await CloudRig.StartAsync();
        await rig.Ingest.HandleAsync(Message(Topics.FireEvents("town", "gw-g2"), ProtocolJson.Serialize(EventStoreTests.Alarm())), default);
        Assert.Contains("arrived on town/gw-g2", Assert.Single(await rig.Store.ListRejectedAsync(10, default)).Reason);
    }

    [Fact]
    public async Task FailingWebhookIsRetriedUntilItAnswers()
    {
        // The aggregator's clock is fake: the retry backoff waits on it, and only this test moves it.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero));
        await using var rig = await CloudRig.StartAsync(time: time);
        rig.Webhook.Failing = true;
        await rig.Ingest.HandleAsync(Message(Topics.FireEvents("town", "gw-g1"), ProtocolJson.Serialize(EventStoreTests.Alarm())), default);
        await Eventually.WaitAsync(() => rig.Notifier.FailedAttempts >= 1, TimeSpan.FromSeconds(10), "the first failed attempt");

        await Eventually.WaitAsync(() => { time.Advance(TimeSpan.FromSeconds(1)); return rig.Notifier.FailedAttempts >= 2; }, TimeSpan.FromSeconds(10), "a retry once the backoff has passed");
        Assert.Empty(rig.Webhook.Received);
        rig.Webhook.Failing = false;
        await Eventually.WaitAsync(() => { time.Advance(TimeSpan.FromSeconds(1)); return !rig.Webhook.Received.IsEmpty; }, TimeSpan.FromSeconds(10), "the retried webhook");
        Assert.True(time.GetUtcNow() - new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero) < TimeSpan.FromMinutes(10), "the retries took more fake time than the backoff allows");
    }
}
