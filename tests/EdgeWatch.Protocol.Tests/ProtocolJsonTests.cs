using System.Text;

namespace EdgeWatch.Protocol.Tests;

public class ProtocolJsonTests
{
    private static FireEvent Sample() => new()
    {
        Id = Guid.CreateVersion7(),
        Seq = 7,
        Site = "town",
        Gateway = "gw-g1",
        Group = "g1",
        Kind = FireEventKind.TroubleCleared,
        Household = "h2",
        Channel = "h2.heat",
        Cause = "probe-lost",
        WallTime = new DateTimeOffset(1970, 1, 1, 0, 0, 12, TimeSpan.Zero),
        MonotonicMs = 12000,
        ClockSynced = false,
    };

    [Fact]
    public void FireEventRoundTripsWithKebabCaseKinds()
    {
        var e = Sample();
        var json = Encoding.UTF8.GetString(ProtocolJson.Serialize(e));
        Assert.Contains("\"kind\":\"trouble-cleared\"", json);
        Assert.Contains("\"v\":1", json);
        Assert.DoesNotContain("\"value\"", json); // nulls are omitted
        Assert.Equal(e, ProtocolJson.DeserializeFireEvent(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("null", "null")]
    [InlineData("[]", "not valid JSON")]
    [InlineData("{\"v\":1,\"id\":\"00000000-0000-0000-0000-000000000000\",\"seq\":1,\"site\":\"t\",\"gateway\":\"g\",\"group\":\"g1\",\"kind\":\"alarm\",\"wallTime\":\"2026-01-01T00:00:00Z\",\"monotonicMs\":1,\"clockSynced\":true}", "empty id")]
    [InlineData("{\"v\":1,\"id\":\"019cab6a-d418-79e3-8e6d-7db2e2c0b0d0\",\"seq\":-4,\"site\":\"t\",\"gateway\":\"g\",\"group\":\"g1\",\"kind\":\"alarm\",\"wallTime\":\"2026-01-01T00:00:00Z\",\"monotonicMs\":1,\"clockSynced\":true}", "negative seq")]
    [InlineData("{\"v\":1,\"id\":\"019cab6a-d418-79e3-8e6d-7db2e2c0b0d0\",\"seq\":1,\"site\":\"t\",\"gateway\":\"g\",\"kind\":\"alarm\",\"wallTime\":\"2026-01-01T00:00:00Z\",\"monotonicMs\":1,\"clockSynced\":true}", "not valid JSON")]
    public void BadFireEventsFailWithAReason(string json, string reason) =>
        Assert.Contains(reason, Assert.Throws<PayloadException>(() => ProtocolJson.DeserializeFireEvent(Encoding.UTF8.GetBytes(json))).Message);

    [Fact]
    public void EmptyCommandBodyIsARequestWithNoOptions() => Assert.Null(ProtocolJson.DeserializeCommand([]).Seconds);

    [Fact]
    public void BadCommandBodyFailsWithAReason() =>
        Assert.Contains("command body", Assert.Throws<PayloadException>(() => ProtocolJson.DeserializeCommand("{x"u8)).Message);

    [Theory]
    [InlineData("""{"v":1,"site":"town","gateway":"gw-g1","requestId":"6f1c2d0e-8a4b-4c3e-9f6a-2b7d5e1a9c00"}""", "missing required properties including: 'csr'")]
    [InlineData("""{"v":1,"site":"town","gateway":"gw-g1","requestId":"00000000-0000-0000-0000-000000000000","csr":"x"}""", "lacks site, gateway, requestId or csr")]
    [InlineData("""{"v":1,"site":"town","gateway":"gw-g1",""", "not valid JSON")]
    public void ACertificateRequestWithoutItsPartsIsRefusedNamingThem(string json, string reason) =>
        Assert.Contains(reason, Assert.Throws<PayloadException>(() => ProtocolJson.DeserializeRenewalRequest(Encoding.UTF8.GetBytes(json))).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("""{"v":1,"requestId":"6f1c2d0e-8a4b-4c3e-9f6a-2b7d5e1a9c00"}""")]
    [InlineData("""{"v":1,"requestId":"6f1c2d0e-8a4b-4c3e-9f6a-2b7d5e1a9c00","certificate":"c","error":"e"}""")]
    public void ACertificateAnswerCarriesEitherACertificateOrAnError(string json) =>
        Assert.Contains("either certificate or error", Assert.Throws<PayloadException>(() => ProtocolJson.DeserializeRenewalAnswer(Encoding.UTF8.GetBytes(json))).Message, StringComparison.Ordinal);
}
