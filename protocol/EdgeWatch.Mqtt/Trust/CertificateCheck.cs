using System.Security.Cryptography.X509Certificates;

namespace EdgeWatch.Mqtt.Trust;

/// <summary>
/// Whether a client certificate is one of the site's: signed by the site authority, within its dates, not revoked,
/// and made for client authentication. Every refusal is one plain sentence that says what to check.
/// </summary>
public static class CertificateCheck
{
    /// <summary>Null when <paramref name="certificate"/> is good; otherwise why not.</summary>
    public static string? Problem(X509Certificate2 certificate, X509Certificate2 authority, RevocationList revoked, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // the site's own list, below
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        var built = chain.Build(certificate);
        var root = chain.ChainElements.Count > 0 ? chain.ChainElements[^1].Certificate : null;
        if (root is null || !root.RawDataMemory.Span.SequenceEqual(authority.RawDataMemory.Span) || chain.ChainStatus.Any(s => s.Status is X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain or X509ChainStatusFlags.NotSignatureValid))
        {
            return $"the certificate '{certificate.Subject}' was issued by '{certificate.Issuer}', not by this site's authority '{authority.Subject}'";
        }

        if (now < certificate.NotBefore)
        {
            return $"the certificate '{certificate.Subject}' is not valid until {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC (is the clock right?)";
        }

        if (now > certificate.NotAfter)
        {
            return $"the certificate '{certificate.Subject}' expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC";
        }

        if (!built)
        {
            return $"the certificate '{certificate.Subject}' does not chain to the site authority: {string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()))}";
        }

        if (revoked.IsRevoked(certificate))
        {
            return $"the certificate '{certificate.Subject}' (serial {certificate.SerialNumber}) has been revoked";
        }

        var usage = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (usage is not null && !usage.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(o => o.Value == "1.3.6.1.5.5.7.3.2"))
        {
            return $"the certificate '{certificate.Subject}' is not made for client authentication";
        }

        return null;
    }

    /// <summary>The certificate's common name (the node's id), or "" when it has none.</summary>
    public static string Identity(X509Certificate2 certificate) => certificate.GetNameInfo(X509NameType.SimpleName, false) ?? "";

    /// <summary>The certificate's organisation (the site), or "" when it has none.</summary>
    public static string Site(X509Certificate2 certificate) =>
        certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .FirstOrDefault(n => n.GetSingleElementType().Value == "2.5.4.10")?.GetSingleElementValue() ?? "";
}
