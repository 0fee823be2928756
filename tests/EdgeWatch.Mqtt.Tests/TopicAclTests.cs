using EdgeWatch.Mqtt.Trust;
using EdgeWatch.Protocol;

namespace EdgeWatch.Mqtt.Tests;

public class TopicAclTests
{
    [Fact]
    public void ANodePublishesItsOwnEventsStatusSnapshotsReportedConfigurationAndCertificateRequests()
    {
        foreach (var topic in new[]
        {
            Topics.Status("town", "gw-a"), Topics.Heartbeat("town", "gw-a"), Topics.FireEvents("town", "gw-a"), Topics.TroubleEvents("town", "gw-a"),
            Topics.MotionEvents("town", "gw-a"), Topics.Snapshot("town", "gw-a", Guid.NewGuid()), Topics.ReportedConfig("town", "gw-a"),
            Topics.Selftest("town", "gw-a"), Topics.CertificateRequest("town", "gw-a"),
        })
        {
            Assert.True(TopicAcl.MayPublish("gw-a", "town", topic), topic);
        }
    }

    [Fact]
    public void ANodeNeverPublishesAsAnotherNodeAnotherSiteACommandADesiredConfigurationAnAckOrACertificate()
    {
        foreach (var topic in new[]
        {
            Topics.FireEvents("town", "gw-b"), Topics.FireEvents("other", "gw-a"), Topics.Command("town", "gw-a", CommandNames.Silence),
            Topics.DesiredConfig("town", "gw-a"), Topics.Ack("town", "gw-a"), Topics.CertificateIssued("town", "gw-a"), Topics.CertificateRequest("town", "gw-b"), "edgewatch/v1/town/gw-a", "edgewatch/v1/town/gw-a/evt/+",
            "edgewatch/v1/town/gw-a2/evt/fire", "edgewatch/v1/town/gw-a/statusx", "elsewhere/gw-a/evt/fire",
        })
        {
            Assert.False(TopicAcl.MayPublish("gw-a", "town", topic), topic);
        }
    }

    [Fact]
    public void ANodeSubscribesOnlyToItsOwnCommandsDesiredConfigurationAcksAndCertificates()
    {
        Assert.True(TopicAcl.MaySubscribe("gw-a", "town", Topics.CommandFilter("town", "gw-a")));
        Assert.True(TopicAcl.MaySubscribe("gw-a", "town", Topics.DesiredConfig("town", "gw-a")));
        Assert.True(TopicAcl.MaySubscribe("gw-a", "town", Topics.Ack("town", "gw-a")));
        Assert.True(TopicAcl.MaySubscribe("gw-a", "town", Topics.CertificateIssued("town", "gw-a")));
        foreach (var filter in new[] { Topics.CommandFilter("town", "gw-b"), Topics.CertificateIssued("town", "gw-b"), Topics.CertificateRequest("town", "gw-a"), "edgewatch/v1/#", "edgewatch/v1/town/+/cmd/+", "edgewatch/v1/town/gw-a/#", Topics.FireEvents("town", "gw-a"), "#" })
        {
            Assert.False(TopicAcl.MaySubscribe("gw-a", "town", filter), filter);
        }
    }

    [Fact]
    public void TheAggregatorCommandsAnyGatewayAndReadsEverything()
    {
        Assert.True(TopicAcl.MayPublish(TopicAcl.Aggregator, "town", Topics.Command("town", "gw-a", CommandNames.Reset)));
        Assert.True(TopicAcl.MayPublish(TopicAcl.Aggregator, "town", Topics.Ack("other", "gw-z")));
        Assert.True(TopicAcl.MaySubscribe(TopicAcl.Aggregator, "town", Topics.AllGatewayTrafficFilter));
        Assert.False(TopicAcl.MayPublish(TopicAcl.Aggregator, "town", "$SYS/broker"));
    }

    [Fact]
    public void TheMosquittoAclWritesTheSameRulesWithTheCertificateName()
    {
        var acl = MosquittoAcl.For("town");
        foreach (var rule in TopicAcl.NodePublishes)
        {
            Assert.Contains($"pattern write edgewatch/v1/town/%u/{rule}\n", acl);
        }

        foreach (var rule in TopicAcl.NodeSubscribes)
        {
            Assert.Contains($"pattern read edgewatch/v1/town/%u/{rule}\n", acl);
        }

        Assert.Contains("user aggregator\ntopic readwrite edgewatch/v1/#\n", acl);
    }
}
