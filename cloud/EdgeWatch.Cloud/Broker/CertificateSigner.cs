using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using EdgeWatch.Mqtt.Trust;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Broker;

/// <summary>
/// Renews gateways' certificates (<c>Broker:Renewal</c>): a node's signing request on its own <c>cert/request</c> is
/// signed with the site authority when the request is well formed and self-signed, names exactly the node whose topic
/// it came on (the broker's ACL already proved that the node itself sent it), carries an ECDSA P-256 key, and the site
/// record knows the node and has not revoked it. The new certificate is added to the site record before it is sent, so
/// <c>edgewatch-provision node revoke</c> revokes it with the node's others. Every refusal is one sentence for the node.
/// </summary>
public sealed partial class CertificateSigner(IOptions<BrokerOptions> options, TimeProvider time, ILogger<CertificateSigner> logger)
{
    private readonly BrokerOptions _options = options.Value;
    private readonly Lock _gate = new();

    /// <summary>The answer to one request: the certificate, or why not.</summary>
    public CertificateRenewalAnswer Answer(TopicAddress address, CertificateRenewalRequest request)
    {
        try
        {
            var (pem, serial, notAfter) = Issue(address, request);
            Issued(logger, address.Gateway, serial, notAfter);
            return new CertificateRenewalAnswer { RequestId = request.RequestId, Certificate = pem };
        }
        catch (RefusedException ex)
        {
            Refused(logger, address.Gateway, ex.Message);
            return new CertificateRenewalAnswer { RequestId = request.RequestId, Error = ex.Message };
        }
    }

    private (string Pem, string Serial, DateTimeOffset NotAfter) Issue(TopicAddress address, CertificateRenewalRequest request)
    {
        var renewal = _options.Renewal;
        if (!renewal.Enabled)
        {
            throw new RefusedException("this aggregator does not renew certificates (Broker:Renewal:AuthorityKey is not set)");
        }

        if (request.Site != address.Site || request.Gateway != address.Gateway)
        {
            throw new RefusedException($"the request is for {request.Site}/{request.Gateway} but came on {address.Site}/{address.Gateway}'s topic");
        }

        CertificateRequest csr;
        try
        {
            csr = CertificateRequest.LoadSigningRequestPem(request.Csr, HashAlgorithmName.SHA256); // checks its signature
        }
        catch (CryptographicException ex)
        {
            throw new RefusedException($"the signing request is not a valid PKCS#10 request signed by its own key ({ex.Message.Trim()})");
        }

        var expected = SiteAuthority.ClientName(address.Gateway, address.Site);
        if (!csr.SubjectName.RawData.AsSpan().SequenceEqual(expected.RawData))
        {
            throw new RefusedException($"the signing request names '{csr.SubjectName.Name}', not '{expected.Name}'");
        }

        using (var key = csr.PublicKey.GetECDsaPublicKey())
        {
            if (key is null || key.KeySize != 256)
            {
                throw new RefusedException("the signing request's key must be ECDSA P-256");
            }
        }

        var now = time.GetUtcNow();
        lock (_gate)
        {
            var record = ReadRecord();
            var mine = record.Issued.Where(i => i.Id == address.Gateway).ToList();
            if (mine.Count == 0)
            {
                throw new RefusedException($"'{address.Gateway}' is not in the site record: this site never issued it a certificate");
            }

            if (mine.All(i => i.RevokedAt is not null))
            {
                throw new RefusedException($"'{address.Gateway}' is revoked");
            }

            if (mine.Where(i => i.Source == "renewal").Max(i => i.IssuedAt) is { } last && now - last < renewal.MinInterval)
            {
                throw new RefusedException($"'{address.Gateway}' was renewed at {last:yyyy-MM-dd HH:mm} UTC; ask again after {last + renewal.MinInterval:yyyy-MM-dd HH:mm} UTC");
            }

            SiteAuthority authority;
            try
            {
                authority = new SiteAuthority(X509Certificate2.CreateFromPemFile(renewal.Authority!, renewal.AuthorityKey));
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                throw new RefusedException($"the aggregator can't read its site authority ({ex.Message.Trim()}); tell the technician");
            }

            using (authority.Certificate)
            using (var issued = authority.IssueClient(csr.PublicKey, address.Gateway, address.Site, now, renewal.Lifetime))
            {
                var notAfter = new DateTimeOffset(issued.NotAfter.ToUniversalTime());
                record.Issued.Add(new IssuedCertificate
                {
                    Id = address.Gateway,
                    Group = mine[^1].Group,
                    Serial = issued.SerialNumber,
                    NotAfter = notAfter,
                    IssuedAt = now,
                    Source = "renewal",
                });
                SaveRecord(record);
                return (issued.ExportCertificatePem(), issued.SerialNumber, notAfter);
            }
        }
    }

    private SiteRecord ReadRecord()
    {
        try
        {
            return SiteRecord.Read(_options.SiteRecord!);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new RefusedException($"the aggregator can't read the site record ({ex.Message}); tell the technician");
        }
    }

    private void SaveRecord(SiteRecord record)
    {
        try
        {
            record.Write(_options.SiteRecord!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RefusedException($"the aggregator can't record the new certificate in the site record ({ex.Message}), so it was not issued; tell the technician");
        }
    }

    private sealed class RefusedException(string message) : Exception(message);

    [LoggerMessage(EventId = 3030, Level = LogLevel.Information, Message = "Renewed the certificate of gateway {Gateway}: serial {Serial}, valid until {NotAfter:u}, added to the site record")]
    private static partial void Issued(ILogger logger, string gateway, string serial, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 3031, Level = LogLevel.Warning, Message = "Refused gateway {Gateway}'s certificate request: {Reason}")]
    private static partial void Refused(ILogger logger, string gateway, string reason);
}
