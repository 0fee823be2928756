using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Mqtt.Trust;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>
/// The node's side of certificate renewal over MQTT, with no site visit: a new key made here and kept here, its signing
/// request up on <c>cert/request</c>, the certificate down on <c>cert/issued</c>. The answer is checked (it is for the
/// waiting key, names this node, and chains to the site authority) before it replaces <c>Mqtt:ClientCertificate</c>
/// and <c>Mqtt:ClientKey</c>; the old pair stays until then, so a lost answer costs nothing but a retry. The pair is
/// replaced key first, each by a rename, and <see cref="Recover"/> finishes a replacement a power cut interrupted.
/// </summary>
public sealed partial class CertificateRenewal(IOptions<MqttOptions> mqtt, IOptions<GatewayOptions> gateway, TimeProvider time, ILogger<CertificateRenewal> logger)
{
    private readonly MqttOptions _mqtt = mqtt.Value;
    private readonly GatewayOptions _gateway = gateway.Value;
    private readonly Lock _gate = new();
    private Pending? _pending;

    private sealed record Pending(Guid Id, ECDsa Key, DateTimeOffset At);

    /// <summary>Renewal needs the node's own certificate and key on a TLS connection.</summary>
    public bool Enabled => _mqtt.UseTls && !string.IsNullOrEmpty(_mqtt.ClientCertificate) && !string.IsNullOrEmpty(_mqtt.ClientKey);

    /// <summary>Why the last request was refused or its answer not taken; null once a renewal succeeded.</summary>
    public string? LastError { get; private set; }

    /// <summary>When the certificate was last renewed by this process.</summary>
    public DateTimeOffset? LastRenewed { get; private set; }

    /// <summary>When the installed certificate expires; null when there is none or it can't be read.</summary>
    public DateTimeOffset? Expires()
    {
        try
        {
            using var current = X509Certificate2.CreateFromPem(File.ReadAllText(_mqtt.ClientCertificate!));
            return new DateTimeOffset(current.NotAfter.ToUniversalTime());
        }
        catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Whether the certificate has less than <c>Mqtt:RenewBefore</c> left and no request is waiting for an answer.</summary>
    public bool Due()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_pending is { } p && now - p.At < _mqtt.RenewCheckInterval)
            {
                return false; // asked a moment ago: wait for the answer, then ask again
            }
        }

        return Enabled && Expires() is { } expires && expires - now < _mqtt.RenewBefore;
    }

    /// <summary>A new key (ECDSA P-256) and its signing request for <c>CN=id, O=site</c>; the key waits for the answer.</summary>
    public CertificateRenewalRequest Begin()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(SiteAuthority.ClientName(_gateway.Id, _gateway.Site), key, HashAlgorithmName.SHA256);
        var id = Guid.NewGuid();
        lock (_gate)
        {
            _pending?.Key.Dispose();
            _pending = new Pending(id, key, time.GetUtcNow());
        }

        var expires = Expires();
        Requested(logger, id, expires);
        return new CertificateRenewalRequest { Site = _gateway.Site, Gateway = _gateway.Id, RequestId = id, Csr = request.CreateSigningRequestPem() };
    }

    /// <summary>
    /// Takes the aggregator's answer: installs the certificate with the waiting key and returns it (the caller
    /// reconnects with it), or returns null when it was refused, is not for the waiting request, or does not check out.
    /// </summary>
    public X509Certificate2? Complete(CertificateRenewalAnswer answer)
    {
        lock (_gate)
        {
            if (_pending is not { } pending || pending.Id != answer.RequestId)
            {
                NotWaiting(logger, answer.RequestId);
                return null;
            }

            _pending = null;
            using var key = pending.Key;
            if (answer.Error is { } error)
            {
                return Fail($"the aggregator refused the certificate request: {error}");
            }

            X509Certificate2 issued;
            try
            {
                using var alone = X509Certificate2.CreateFromPem(answer.Certificate);
                issued = alone.CopyWithPrivateKey(key);
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                return Fail($"the renewed certificate is not for the key this node made ({ex.Message.Trim()})");
            }

            if (CertificateCheck.Identity(issued) != _gateway.Id || CertificateCheck.Site(issued) != _gateway.Site)
            {
                var subject = issued.Subject;
                issued.Dispose();
                return Fail($"the renewed certificate names {subject}, not CN={_gateway.Id}, O={_gateway.Site}");
            }

            if (!string.IsNullOrEmpty(_mqtt.CaCertificate))
            {
                using var authority = X509Certificate2.CreateFromPem(File.ReadAllText(_mqtt.CaCertificate));
                if (CertificateCheck.Problem(issued, authority, RevocationList.None, time.GetUtcNow()) is { } problem)
                {
                    issued.Dispose();
                    return Fail($"the renewed certificate does not check out against {_mqtt.CaCertificate}: {problem}");
                }
            }

            try
            {
                Install(_mqtt, issued.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                issued.Dispose();
                return Fail($"the renewed certificate could not be written to {_mqtt.ClientCertificate} ({ex.Message})");
            }

            LastError = null;
            LastRenewed = time.GetUtcNow();
            var (serial, notAfter) = (issued.SerialNumber, issued.NotAfter.ToUniversalTime());
            Renewed(logger, serial, notAfter);
            return issued;
        }
    }

    private X509Certificate2? Fail(string reason)
    {
        LastError = reason;
        NotRenewed(logger, reason);
        return null;
    }

    /// <summary>Replaces the pair: both written aside and flushed, then the key renamed into place, then the certificate.</summary>
    internal static void Install(MqttOptions options, string certificatePem, string keyPem)
    {
        string cert = options.ClientCertificate!, key = options.ClientKey!;
        WriteDurable(key + ".new", keyPem + "\n", secret: true);
        WriteDurable(cert + ".new", certificatePem + "\n", secret: false);
        File.Move(key + ".new", key, overwrite: true);
        File.Move(cert + ".new", cert, overwrite: true);
    }

    /// <summary>
    /// Finishes a replacement that stopped between its two renames (the new key in place, the new certificate still
    /// aside): without this the node would hold a key that is not its certificate's, and could not connect.
    /// </summary>
    public static void Recover(MqttOptions options)
    {
        if (string.IsNullOrEmpty(options.ClientCertificate) || string.IsNullOrEmpty(options.ClientKey))
        {
            return;
        }

        var aside = options.ClientCertificate + ".new";
        if (File.Exists(aside) && !File.Exists(options.ClientKey + ".new"))
        {
            File.Move(aside, options.ClientCertificate, overwrite: true);
        }
    }

    private static void WriteDurable(string path, string text, bool secret)
    {
        var mode = secret ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode); // an existing file keeps its mode otherwise
        }
    }

    [LoggerMessage(EventId = 2400, Level = LogLevel.Information, Message = "Asked the aggregator for a new client certificate (request {RequestId}); the current one expires {Expires:u}")]
    private static partial void Requested(ILogger logger, Guid requestId, DateTimeOffset? expires);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "Client certificate renewed: serial {Serial}, valid until {NotAfter:u}; reconnecting with it")]
    private static partial void Renewed(ILogger logger, string serial, DateTime notAfter);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Warning, Message = "Client certificate not renewed: {Reason}")]
    private static partial void NotRenewed(ILogger logger, string reason);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Warning, Message = "Ignored a certificate answer for request {RequestId}: no such request is waiting")]
    private static partial void NotWaiting(ILogger logger, Guid requestId);
}
