using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Mqtt.Trust;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeWatch.Gateway.Tests.Uplink;

/// <summary>The node's side of renewal: the key it makes stays with it, an answer is checked before it replaces anything, and a replacement cut short by a power cut is finished.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes
public sealed class CertificateRenewalTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgewatch-renew-" + Guid.NewGuid().ToString("N"));
    private readonly SiteAuthority _authority = SiteAuthority.Create("town", Now.AddDays(-400), TimeSpan.FromDays(3650));
    private readonly MqttOptions _mqtt;
    private readonly CertificateRenewal _renewal;

    public CertificateRenewalTests()
    {
        Directory.CreateDirectory(_dir);
        _mqtt = new MqttOptions
        {
            UseTls = true,
            CaCertificate = Path.Combine(_dir, "ca.crt"),
            ClientCertificate = Path.Combine(_dir, "node.crt"),
            ClientKey = Path.Combine(_dir, "node.key"),
        };
        File.WriteAllText(_mqtt.CaCertificate, _authority.Certificate.ExportCertificatePem());
        using var old = _authority.IssueClient("gw-g1", "town", Now.AddDays(-345), TimeSpan.FromDays(365)); // 20 days left
        File.WriteAllText(_mqtt.ClientCertificate, old.ExportCertificatePem());
        File.WriteAllText(_mqtt.ClientKey, old.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        _renewal = new CertificateRenewal(Options.Create(_mqtt), Options.Create(new GatewayOptions { Site = "town", Id = "gw-g1", Group = "g1" }), new FakeTimeProvider(Now), NullLogger<CertificateRenewal>.Instance);
    }

    public void Dispose()
    {
        _authority.Certificate.Dispose();
        Directory.Delete(_dir, true);
    }

    /// <summary>What the aggregator does with a request: signs the key in it.</summary>
    private string Sign(CertificateRenewalRequest request, string id = "gw-g1")
    {
        var csr = CertificateRequest.LoadSigningRequestPem(request.Csr, HashAlgorithmName.SHA256);
        using var issued = _authority.IssueClient(csr.PublicKey, id, "town", Now, TimeSpan.FromDays(365));
        return issued.ExportCertificatePem();
    }

    [Fact]
    public void ACertificateWithLessThanTheRenewalMarginLeftIsDueAndItsAnswerReplacesThePair()
    {
        Assert.True(_renewal.Due());
        var request = _renewal.Begin();
        Assert.False(_renewal.Due()); // asked: it waits for the answer
        Assert.Contains("CERTIFICATE REQUEST", request.Csr, StringComparison.Ordinal);

        using var installed = _renewal.Complete(new CertificateRenewalAnswer { RequestId = request.RequestId, Certificate = Sign(request) });

        Assert.NotNull(installed);
        using var pair = X509Certificate2.CreateFromPemFile(_mqtt.ClientCertificate!, _mqtt.ClientKey!);
        Assert.Equal(installed.SerialNumber, pair.SerialNumber);
        Assert.Equal(Now.AddDays(365), _renewal.Expires());
        Assert.False(_renewal.Due());
        Assert.Null(_renewal.LastError);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_mqtt.ClientKey!));
        Assert.False(File.Exists(_mqtt.ClientCertificate + ".new") || File.Exists(_mqtt.ClientKey + ".new"));
    }

    [Fact]
    public void AnAnswerForAnotherKeyOrNameOrRequestReplacesNothing()
    {
        var before = (File.ReadAllText(_mqtt.ClientCertificate!), File.ReadAllText(_mqtt.ClientKey!));

        var request = _renewal.Begin();
        var other = new CertificateRenewal(Options.Create(_mqtt), Options.Create(new GatewayOptions { Site = "town", Id = "gw-g1", Group = "g1" }), new FakeTimeProvider(Now), NullLogger<CertificateRenewal>.Instance).Begin();
        Assert.Null(_renewal.Complete(new CertificateRenewalAnswer { RequestId = request.RequestId, Certificate = Sign(other) }));
        Assert.Contains("not for the key this node made", _renewal.LastError, StringComparison.Ordinal);

        request = _renewal.Begin();
        Assert.Null(_renewal.Complete(new CertificateRenewalAnswer { RequestId = request.RequestId, Certificate = Sign(request, id: "gw-g2") }));
        Assert.Contains("names CN=gw-g2, O=town, not CN=gw-g1, O=town", _renewal.LastError, StringComparison.Ordinal);

        request = _renewal.Begin();
        Assert.Null(_renewal.Complete(new CertificateRenewalAnswer { RequestId = Guid.NewGuid(), Certificate = Sign(request) })); // not the waiting one

        var foreign = SiteAuthority.Create("town", Now.AddDays(-1), TimeSpan.FromDays(3650));
        using var foreignCertificate = foreign.Certificate;
        var csr = CertificateRequest.LoadSigningRequestPem(request.Csr, HashAlgorithmName.SHA256);
        using var forged = foreign.IssueClient(csr.PublicKey, "gw-g1", "town", Now, TimeSpan.FromDays(365));
        Assert.Null(_renewal.Complete(new CertificateRenewalAnswer { RequestId = request.RequestId, Certificate = forged.ExportCertificatePem() }));
        Assert.Contains("does not check out against", _renewal.LastError, StringComparison.Ordinal);

        Assert.Equal(before, (File.ReadAllText(_mqtt.ClientCertificate!), File.ReadAllText(_mqtt.ClientKey!)));
    }

    [Fact]
    public void AReplacementCutShortBetweenItsTwoRenamesIsFinishedBeforeTheNextConnection()
    {
        var request = _renewal.Begin();
        var certificate = Sign(request);
        using var issued = _renewal.Complete(new CertificateRenewalAnswer { RequestId = request.RequestId, Certificate = certificate })!;
        // What a power cut between the renames leaves: the new key in place, the new certificate still aside.
        File.Copy(_mqtt.ClientCertificate!, _mqtt.ClientCertificate + ".new");
        using (var old = _authority.IssueClient("gw-g1", "town", Now.AddDays(-345), TimeSpan.FromDays(365)))
        {
            File.WriteAllText(_mqtt.ClientCertificate!, old.ExportCertificatePem()); // the old certificate, with the new key
        }

        Assert.ThrowsAny<ArgumentException>(() => X509Certificate2.CreateFromPemFile(_mqtt.ClientCertificate!, _mqtt.ClientKey!));

        CertificateRenewal.Recover(_mqtt);

        using var pair = X509Certificate2.CreateFromPemFile(_mqtt.ClientCertificate!, _mqtt.ClientKey!);
        Assert.Equal(issued.SerialNumber, pair.SerialNumber);
        Assert.False(File.Exists(_mqtt.ClientCertificate + ".new"));
    }
}
