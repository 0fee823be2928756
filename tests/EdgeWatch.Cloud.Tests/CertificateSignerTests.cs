using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeWatch.Cloud.Broker;
using EdgeWatch.Mqtt.Trust;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeWatch.Cloud.Tests;

/// <summary>The aggregator's side of renewal: what it signs, what it refuses and why, and what it records.</summary>
public sealed class CertificateSignerTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Eventually.TempDirectory("edgewatch-signer");
    private readonly SiteAuthority _authority = SiteAuthority.Create("town", Now.AddDays(-10), TimeSpan.FromDays(3650));
    private readonly FakeTimeProvider _time = new(Now);
    private readonly CertificateSigner _signer;

    public CertificateSignerTests()
    {
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), _authority.Certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, "ca.key"), _authority.Certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var record = new SiteRecord { Site = "town" };
        record.Issued.Add(new IssuedCertificate { Id = "gw-g1", Group = "g1", Serial = "0A", NotAfter = Now.AddDays(20), IssuedAt = Now.AddMinutes(-1), Source = "bundle" });
        record.Issued.Add(new IssuedCertificate { Id = "gw-g2", Group = "g2", Serial = "0B", NotAfter = Now.AddDays(20), RevokedAt = Now.AddDays(-1) });
        record.Write(SiteJson);
        _signer = new CertificateSigner(
            Options.Create(new BrokerOptions
            {
                SiteRecord = SiteJson,
                Renewal = new BrokerRenewalOptions { Authority = Path.Combine(_dir, "ca.crt"), AuthorityKey = Path.Combine(_dir, "ca.key") },
            }),
            _time,
            NullLogger<CertificateSigner>.Instance);
    }

    private string SiteJson => Path.Combine(_dir, "site.json");

    private SiteRecord Record() => SiteRecord.Read(SiteJson);

    public void Dispose()
    {
        _authority.Certificate.Dispose();
        Directory.Delete(_dir, true);
    }

    private static (CertificateRenewalRequest Request, ECDsa Key) Request(string gateway, string subject, string site = "town")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest(subject, key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        return (new CertificateRenewalRequest { Site = site, Gateway = gateway, RequestId = Guid.NewGuid(), Csr = csr }, key);
    }

    private static TopicAddress On(string gateway) => new("town", gateway, "cert/request");

    [Fact]
    public void AKnownNodesRequestIsSignedForItsOwnKeyAndRecordedInTheSiteRecord()
    {
        var (request, key) = Request("gw-g1", "CN=gw-g1, O=town");
        using var _ = key;

        var answer = _signer.Answer(On("gw-g1"), request);

        Assert.Null(answer.Error);
        Assert.Equal(request.RequestId, answer.RequestId);
        using var issued = X509Certificate2.CreateFromPem(answer.Certificate).CopyWithPrivateKey(key); // throws unless it is for the request's key
        Assert.Null(CertificateCheck.Problem(issued, _authority.Certificate, RevocationList.None, Now));
        Assert.Equal(("gw-g1", "town"), (CertificateCheck.Identity(issued), CertificateCheck.Site(issued)));
        Assert.Equal(Now.AddDays(365).UtcDateTime, issued.NotAfter.ToUniversalTime());
        var entry = Assert.Single(Record().Issued, i => i.Serial == issued.SerialNumber);
        Assert.Equal(("gw-g1", "g1", "renewal", (DateTimeOffset?)Now), (entry.Id, entry.Group, entry.Source, entry.IssuedAt));
    }

    [Theory]
    [InlineData("gw-g1", "CN=gw-g2, O=town", "the signing request names 'CN=gw-g2, O=town', not 'CN=gw-g1, O=town'")]
    [InlineData("gw-g1", "CN=gw-g1, O=elsewhere", "not 'CN=gw-g1, O=town'")]
    [InlineData("gw-g2", "CN=gw-g2, O=town", "'gw-g2' is revoked")]
    [InlineData("gw-g9", "CN=gw-g9, O=town", "'gw-g9' is not in the site record")]
    public void ARequestForAnotherNameOrFromANodeTheSiteDoesNotKnowIsRefusedAndNothingIsRecorded(string gateway, string subject, string reason)
    {
        var (request, key) = Request(gateway, subject);
        using var _ = key;
        var before = File.ReadAllText(SiteJson);

        var answer = _signer.Answer(On(gateway), request);

        Assert.Null(answer.Certificate);
        Assert.Contains(reason, answer.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(SiteJson));
    }

    [Fact]
    public void ARequestArrivingOnAnotherNodesTopicIsRefused()
    {
        var (request, key) = Request("gw-g1", "CN=gw-g1, O=town");
        using var _ = key;

        var answer = _signer.Answer(On("gw-g3"), request);

        Assert.Contains("came on town/gw-g3's topic", answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ATamperedRequestAndAnRsaKeyAreRefused()
    {
        var (request, key) = Request("gw-g1", "CN=gw-g1, O=town");
        using var _ = key;
        var der = PemEncoding.TryFind(request.Csr, out var fields) ? Convert.FromBase64String(request.Csr[fields.Base64Data]) : throw new InvalidOperationException("no PEM");
        der[^5] ^= 0x55; // inside the signature
        var tampered = request with { Csr = new string(PemEncoding.Write("CERTIFICATE REQUEST", der)) };
        Assert.Contains("not a valid PKCS#10 request signed by its own key", _signer.Answer(On("gw-g1"), tampered).Error, StringComparison.Ordinal);

        using var rsa = RSA.Create(2048);
        var rsaRequest = request with { Csr = new CertificateRequest("CN=gw-g1, O=town", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem() };
        Assert.Contains("must be ECDSA P-256", _signer.Answer(On("gw-g1"), rsaRequest).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ANodeAskingAgainWithinTheMinimumIntervalIsRefusedUntilItHasPassed()
    {
        var (first, k1) = Request("gw-g1", "CN=gw-g1, O=town");
        var (second, k2) = Request("gw-g1", "CN=gw-g1, O=town");
        using var _ = k1;
        using var __ = k2;
        Assert.Null(_signer.Answer(On("gw-g1"), first).Error);

        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Contains("ask again after", _signer.Answer(On("gw-g1"), second).Error, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(_signer.Answer(On("gw-g1"), second).Error);
        Assert.Equal(2, Record().Issued.Count(i => i.Source == "renewal"));
    }
}
