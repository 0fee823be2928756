using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeWatch.Mqtt.Trust;

/// <summary>
/// The serial numbers a site's certificate revocation list (the <c>crl.pem</c> that Mosquitto also reads) revokes,
/// read only when the site authority's signature on it holds.
/// </summary>
public sealed class RevocationList
{
    private readonly HashSet<string> _serials;

    private RevocationList(HashSet<string> serials, DateTimeOffset? nextUpdate)
    {
        _serials = serials;
        NextUpdate = nextUpdate;
    }

    /// <summary>An empty list (nothing revoked).</summary>
    public static RevocationList None { get; } = new([], null);

    /// <summary>When the list says a newer one is due.</summary>
    public DateTimeOffset? NextUpdate { get; }

    /// <summary>The revoked serial numbers, in upper-case hex as <see cref="X509Certificate2.SerialNumber"/> gives them.</summary>
    public IReadOnlyCollection<string> Serials => _serials;

    public bool IsRevoked(X509Certificate2 certificate) => _serials.Contains(certificate.SerialNumber.ToUpperInvariant());

    /// <summary>Reads a PEM or DER list; fails with a plain sentence when it is unreadable or not signed by <paramref name="authority"/>.</summary>
    public static RevocationList Read(string path, X509Certificate2 authority)
    {
        var bytes = File.ReadAllBytes(path);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        if (text.Contains("-----BEGIN X509 CRL-----", StringComparison.Ordinal))
        {
            var fields = PemEncoding.Find(text);
            bytes = Convert.FromBase64String(text[fields.Base64Data]);
        }

        try
        {
            return Parse(bytes, authority);
        }
        catch (AsnContentException ex)
        {
            throw new InvalidDataException($"{path} is not a certificate revocation list ({ex.Message})", ex);
        }
    }

    private static RevocationList Parse(byte[] der, X509Certificate2 authority)
    {
        var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var tbsBytes = list.PeekEncodedValue().ToArray();
        var tbs = list.ReadSequence();
        _ = list.ReadSequence(); // signature algorithm
        var signature = list.ReadBitString(out _);
        using (var key = authority.GetECDsaPublicKey())
        {
            if (key is null || !key.VerifyData(tbsBytes, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
            {
                throw new InvalidDataException($"the revocation list is not signed by the site authority ({authority.Subject})");
            }
        }

        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            _ = tbs.ReadInteger(); // version
        }

        _ = tbs.ReadSequence(); // signature algorithm
        _ = tbs.ReadEncodedValue(); // issuer
        _ = ReadTime(tbs); // this update
        DateTimeOffset? next = tbs.HasData && IsTime(tbs.PeekTag()) ? ReadTime(tbs) : null;
        var serials = new HashSet<string>(StringComparer.Ordinal);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData)
            {
                var entry = entries.ReadSequence();
                serials.Add(Convert.ToHexString(entry.ReadIntegerBytes().Span));
            }
        }

        return new RevocationList(serials, next);
    }

    private static bool IsTime(Asn1Tag tag) => tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
