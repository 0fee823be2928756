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

    [Fact]
    public void AggregatorFilterCoversEveryEventTopic()
    {
        Assert.Equal("edgewatch/v1/+/+/evt/#", Topics.AllEventsFilter);
        Assert.StartsWith("edgewatch/v1/town/gw-g1/evt/", Topics.TroubleEvents("town", "gw-g1"), StringComparison.Ordinal);
    }
}
