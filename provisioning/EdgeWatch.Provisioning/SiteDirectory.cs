using System.Text.Json;
using EdgeWatch.Mqtt.Trust;
using System.Security.Cryptography.X509Certificates;

namespace EdgeWatch.Provisioning;

/// <summary>
/// A site's directory, as <c>site init</c> writes it: the authority (<c>ca.crt</c>, <c>ca.key</c>), the broker's and
/// the aggregator's identities, the admin API token, the revocation list (<c>crl.pem</c>), a Mosquitto configuration
/// (<c>mosquitto/</c>) and <c>site.json</c>. Keep it offline, with the technician's laptop or the office.
/// </summary>
public sealed class SiteDirectory(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public SiteRecord Record()
    {
        var file = File("site.json");
        if (!System.IO.File.Exists(file))
        {
            throw new ProvisioningException($"{Path} is not a site directory (no site.json): run 'site init --dir {Path}' first");
        }

        try
        {
            return SiteRecord.Read(file);
        }
        catch (JsonException ex)
        {
            throw new ProvisioningException($"{file} is not valid JSON ({ex.Message})");
        }
    }

    public void Save(SiteRecord record) => record.Write(File("site.json"));

    public SiteAuthority Authority() => new(PemFiles.ReadWithKey(File("ca.crt"), File("ca.key")));

    /// <summary>Writes the revocation list of every revoked certificate, numbered one more than the last.</summary>
    public void WriteRevocations(SiteRecord record, SiteAuthority authority, DateTimeOffset now)
    {
        record.RevocationNumber++;
        var revoked = record.Issued.Where(i => i.RevokedAt is not null).Select(i => (i.Serial, i.RevokedAt!.Value));
        var der = authority.RevocationList(revoked, record.RevocationNumber, now, TimeSpan.FromDays(3650));
        System.IO.File.WriteAllText(File("crl.pem"), PemEncodingText("X509 CRL", der));
    }

    private static string PemEncodingText(string label, byte[] der) => new string(System.Security.Cryptography.PemEncoding.Write(label, der)) + "\n";

    /// <summary>The authority's certificate alone (no key), for checks.</summary>
    public X509Certificate2 AuthorityCertificate() => PemFiles.ReadCertificate(File("ca.crt"));
}
