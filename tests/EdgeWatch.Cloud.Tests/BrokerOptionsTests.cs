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
}
