namespace EdgeWatch.Cloud.Tests;

public class BrokerOptionsTests
{
    private static string? Error(BrokerOptions options) => new CloudOptionsValidator().Validate(null, options).FailureMessage;

    [Fact]
    public void ThePlainListenerStaysOnLoopbackAndTheErrorNamesTheKey()
    {
        Assert.Null(Error(new BrokerOptions { Host = "127.0.0.1" }));
        Assert.Null(Error(new BrokerOptions { Host = "::1" }));
        var error = Error(new BrokerOptions { Host = "0.0.0.0" });
        Assert.Contains("Broker:Host must be a loopback address", error);
        Assert.Contains("Broker:Tls", error);
        Assert.Null(Error(new BrokerOptions { Mode = "external", Host = "broker.town.lan" })); // an external broker is where it is
    }

    [Fact]
    public void TheTlsListenerNeedsItsFilesAndTheErrorNamesEachMissingOne()
    {
        var error = Error(new BrokerOptions { Tls = new BrokerTlsOptions { Enabled = true, Certificate = "/nonexistent/broker.crt", Key = "", Authority = "/nonexistent/ca.crt" } });
        Assert.Contains("Broker:Tls:Certificate must name an existing file (was '/nonexistent/broker.crt')", error);
        Assert.Contains("Broker:Tls:Key must name an existing file", error);
        Assert.Contains("Broker:Tls:Authority must name an existing file", error);
        Assert.DoesNotContain("RevocationList", error); // optional
    }

    [Fact]
    public void RenewalNeedsTheAuthoritysFilesAndTheSiteRecordAndTheErrorNamesEachKey()
    {
        var error = Error(new BrokerOptions { Renewal = new BrokerRenewalOptions { Authority = "/nonexistent/ca.crt", AuthorityKey = "/nonexistent/ca.key", Lifetime = TimeSpan.FromHours(1) } });
        Assert.Contains("Broker:Renewal:Authority must name an existing file (was '/nonexistent/ca.crt')", error);
        Assert.Contains("Broker:Renewal:AuthorityKey must name an existing file", error);
        Assert.Contains("Broker:Renewal needs Broker:SiteRecord", error);
        Assert.Contains("Broker:Renewal:Lifetime must be 1 day – 10 years", error);
    }

    [Fact]
    public void TheAggregatorsOwnTlsIdentityIsForAnExternalBrokerAndComesWithItsThreeFiles()
    {
        var embedded = Error(new BrokerOptions { ClientCertificate = "/nonexistent/aggregator.crt" });
        Assert.Contains("are for an external broker (Broker:Mode 'external')", embedded);
        var external = Error(new BrokerOptions { Mode = "external", Host = "broker.town.lan", ClientCertificate = "/nonexistent/aggregator.crt" });
        Assert.Contains("Broker:ClientCertificate must name an existing file (was '/nonexistent/aggregator.crt')", external);
        Assert.Contains("Broker:ClientKey must name an existing file", external);
        Assert.Contains("Broker:CaCertificate must name an existing file", external);
    }
}
