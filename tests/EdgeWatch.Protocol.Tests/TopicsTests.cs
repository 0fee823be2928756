using MQTTnet;

namespace EdgeWatch.Protocol.Tests;

public class TopicsTests
{
    [Fact]
    public void EventTopicsParseBackToTheirParts()
    {
        Assert.True(Topics.TryParse(Topics.FireEvents("town", "gw-g1"), out var a));
        Assert.Equal(new TopicAddress("town", "gw-g1", "evt/fire"), a);
        Assert.True(Topics.TryParse(Topics.Command("town", "gw-g2", CommandNames.Reset), out var c));
        Assert.Equal("cmd/reset", c.Purpose);
    }

    [Theory]
    [InlineData("")]
    [InlineData("edgewatch/v2/town/gw/evt/fire")]
    [InlineData("other/v1/town/gw/evt/fire")]
    [InlineData("edgewatch/v1/town/gw")]
    [InlineData("edgewatch/v1//gw/evt/fire")]
    public void ForeignTopicsDoNotParse(string topic) => Assert.False(Topics.TryParse(topic, out _));

    public static TheoryData<string> GatewayPublishedTopics() =>
    [
        Topics.Status("town", "gw-g1"),
        Topics.Heartbeat("town", "gw-g1"),
        Topics.FireEvents("town", "gw-g1"),
        Topics.TroubleEvents("town", "gw-g1"),
        Topics.MotionEvents("town", "gw-g1"),
        Topics.Snapshot("town", "gw-g1", Guid.CreateVersion7()),
        Topics.ReportedConfig("town", "gw-g1"),
    ];

    /// <summary>The aggregator's ingest has one subscription; MQTTnet's own matcher decides what it receives.</summary>
    [Theory]
    [MemberData(nameof(GatewayPublishedTopics))]
    public void AggregatorSubscriptionReceivesEveryTopicAGatewayPublishes(string topic) =>
        Assert.Equal(MqttTopicFilterCompareResult.IsMatch, MqttTopicFilterComparer.Compare(topic, Topics.AllGatewayTrafficFilter));

    [Theory]
    [InlineData("edgewatch/v2/town/gw-g1/evt/fire")]
    [InlineData("other/v1/town/gw-g1/evt/fire")]
    public void AggregatorSubscriptionIgnoresOtherProtocolVersionsAndRoots(string topic) =>
        Assert.Equal(MqttTopicFilterCompareResult.NoMatch, MqttTopicFilterComparer.Compare(topic, Topics.AllGatewayTrafficFilter));

    [Fact]
    public void GatewayCommandFilterMatchesItsOwnCommandsOnly()
    {
        var filter = Topics.CommandFilter("town", "gw-g1");
        Assert.Equal(MqttTopicFilterCompareResult.IsMatch, MqttTopicFilterComparer.Compare(Topics.Command("town", "gw-g1", CommandNames.Silence), filter));
        Assert.Equal(MqttTopicFilterCompareResult.NoMatch, MqttTopicFilterComparer.Compare(Topics.Command("town", "gw-g2", CommandNames.Silence), filter));
    }
}
