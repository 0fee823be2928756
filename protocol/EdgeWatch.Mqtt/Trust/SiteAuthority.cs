using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeWatch.Mqtt.Trust;

/// <summary>
/// A site's certificate authority (ECDSA P-256) and the certificates it issues: the broker's server certificate and
/// each node's client certificate, whose subject is <c>CN=&lt;id&gt;, O=&lt;site&gt;</c> (the id is the MQTT client id
/// and username; the site is the topic segment it may publish under).
/// </summary>
public sealed class SiteAuthority(X509Certificate2 certificate)
{
    /// <summary>The authority's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; } = certificate.HasPrivateKey
        ? certificate
        : throw new ArgumentException("the site authority needs its private key", nameof(certificate));

    /// <summary>Creates a new authority for <paramref name="site"/>, valid from <paramref name="now"/> for <paramref name="lifetime"/>.</summary>
    public static SiteAuthority Create(string site, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN=EdgeWatch site CA {site}, O={site}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return new SiteAuthority(request.CreateSelfSigned(now.AddMinutes(-5), now + lifetime));
    }

    /// <summary>A node's (or the aggregator's) client certificate: <c>CN=id, O=site</c>, client authentication only.</summary>
    public X509Certificate2 IssueClient(string id, string site, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(ClientName(id, site), key, HashAlgorithmName.SHA256);
        return Sign(ClientExtensions(request), key, now, lifetime);
    }

    /// <summary>
    /// A client certificate for a key the node made and keeps (its renewal: only the public key came, in a signing
    /// request); the certificate has no private key.
    /// </summary>
    public X509Certificate2 IssueClient(PublicKey key, string id, string site, DateTimeOffset now, TimeSpan lifetime) =>
        Sign(ClientExtensions(new CertificateRequest(ClientName(id, site), key, HashAlgorithmName.SHA256)), null, now, lifetime);

    /// <summary>The subject of a client certificate.</summary>
    public static X500DistinguishedName ClientName(string id, string site) => new($"CN={id}, O={site}");

    private static CertificateRequest ClientExtensions(CertificateRequest request)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        return request;
    }

    /// <summary>The broker's server certificate for <paramref name="hosts"/> (names or addresses).</summary>
    public X509Certificate2 IssueServer(IEnumerable<string> hosts, string site, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var names = hosts.ToList();
        var request = new CertificateRequest(new X500DistinguishedName($"CN={names.FirstOrDefault() ?? "broker"}, O={site}"), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var host in names)
        {
            if (IPAddress.TryParse(host, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(host);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return Sign(request, key, now, lifetime);
    }

    /// <summary>A certificate revocation list of <paramref name="revoked"/> serial numbers (hex), numbered <paramref name="number"/>.</summary>
    public byte[] RevocationList(IEnumerable<(string Serial, DateTimeOffset When)> revoked, long number, DateTimeOffset now, TimeSpan validFor)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var (serial, when) in revoked)
        {
            builder.AddEntry(Convert.FromHexString(serial), when, X509RevocationReason.CessationOfOperation);
        }

        return builder.Build(Certificate, new System.Numerics.BigInteger(number), now + validFor, HashAlgorithmName.SHA256, thisUpdate: now);
    }

    private X509Certificate2 Sign(CertificateRequest request, ECDsa? key, DateTimeOffset now, TimeSpan lifetime)
    {
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01); // positive, and its first byte never 0 (DER keeps it as is)
        var notAfter = now + lifetime;
        if (notAfter > Certificate.NotAfter)
        {
            notAfter = Certificate.NotAfter; // never outlives its authority
        }

        var notBefore = now.AddMinutes(-5) < Certificate.NotBefore ? new DateTimeOffset(Certificate.NotBefore) : now.AddMinutes(-5); // nor predates it
        var issued = request.Create(Certificate, notBefore, notAfter, serial);
        if (key is null)
        {
            return issued;
        }

        using (issued)
        {
            return issued.CopyWithPrivateKey(key);
        }
    }
}
