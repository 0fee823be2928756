namespace EdgeWatch.Protocol;

/// <summary>
/// A node asks for a new client certificate before its own expires (<c>cert/request</c>, QoS 1, not retained): a
/// PKCS#10 signing request in PEM for a key it made and keeps, whose subject is its own <c>CN=id, O=site</c>. The
/// broker's ACL already proved who sent it; the aggregator also checks the request's subject against the topic.
/// </summary>
public sealed record CertificateRenewalRequest
{
    public int V { get; init; } = ProtocolVersion.Current;
    public required string Site { get; init; }
    public required string Gateway { get; init; }

    /// <summary>Pairs the answer with the key waiting for it.</summary>
    public required Guid RequestId { get; init; }

    /// <summary>The signing request, PEM (<c>-----BEGIN CERTIFICATE REQUEST-----</c>).</summary>
    public required string Csr { get; init; }
}

/// <summary>
/// The aggregator's answer on the node's <c>cert/issued</c> (QoS 1, not retained): the new certificate in PEM, signed by
/// the site authority, or the reason it was refused.
/// </summary>
public sealed record CertificateRenewalAnswer
{
    public int V { get; init; } = ProtocolVersion.Current;
    public required Guid RequestId { get; init; }

    /// <summary>The new certificate, PEM; absent when refused.</summary>
    public string? Certificate { get; init; }

    /// <summary>Why the request was refused; absent when issued.</summary>
    public string? Error { get; init; }
}
