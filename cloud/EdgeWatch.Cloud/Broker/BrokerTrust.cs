using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EdgeWatch.Mqtt.Trust;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace EdgeWatch.Cloud.Broker;

/// <summary>
/// The embedded broker's trust on its TLS listener: a client is one of the site's certificates (chain to the site
/// authority, dates, revocation), known by its common name, which is also its client id; it publishes and subscribes
/// only where <see cref="TopicAcl"/> lets it; and a certificate revoked while connected is dropped at once.
/// Clients of the plain loopback listener (this machine: the aggregator itself, the demo's stock clients) are not
/// restricted.
/// </summary>
public sealed class BrokerTrust
{
    private const string IdentityItem = "edgewatch.identity";
    private const string SiteItem = "edgewatch.site";

    private readonly BrokerTlsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly X509Certificate2 _authority;
    private readonly ConcurrentDictionary<string, X509Certificate2> _connected = new(StringComparer.Ordinal);
    private RevocationList _revoked = RevocationList.None;
    private DateTime _revokedStamp;

    public BrokerTrust(BrokerTlsOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _authority = X509Certificate2.CreateFromPem(File.ReadAllText(options.Authority));
        ServerCertificate = X509Certificate2.CreateFromPemFile(options.Certificate, options.Key);
        ReloadRevocations();
    }

    /// <summary>The broker's own certificate, with its key.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>The TLS handshake's check of the client certificate: refused ones never reach MQTT.</summary>
    public bool AcceptCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            TrustLog.Refused(_logger, "(none)", "the client sent no certificate; a gateway needs the node certificate from its bundle");
            return false;
        }

        using var client = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (CertificateCheck.Problem(client, _authority, Revocations(), _time.GetUtcNow()) is { } problem)
        {
            TrustLog.Refused(_logger, CertificateCheck.Identity(client), problem);
            return false;
        }

        return true;
    }

    /// <summary>At CONNECT on the TLS listener: the certificate again (it may have been revoked since), and the client id.</summary>
    public Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        if (!e.IsSecureConnection)
        {
            return Task.CompletedTask;
        }

        if (e.ClientCertificate is not { } certificate)
        {
            Refuse(e, MqttConnectReasonCode.NotAuthorized, "the client sent no certificate");
            return Task.CompletedTask;
        }

        if (CertificateCheck.Problem(certificate, _authority, Revocations(), _time.GetUtcNow()) is { } problem)
        {
            Refuse(e, MqttConnectReasonCode.NotAuthorized, problem);
            return Task.CompletedTask;
        }

        var identity = CertificateCheck.Identity(certificate);
        if (e.ClientId != identity)
        {
            Refuse(e, MqttConnectReasonCode.ClientIdentifierNotValid, $"the client id '{e.ClientId}' is not the certificate's name '{identity}'");
            return Task.CompletedTask;
        }

        e.SessionItems[IdentityItem] = identity;
        e.SessionItems[SiteItem] = CertificateCheck.Site(certificate);
        _connected[identity] = certificate;
        return Task.CompletedTask;
    }

    public Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        if (e.SessionItems[IdentityItem] is string identity && !TopicAcl.MayPublish(identity, (string)e.SessionItems[SiteItem]!, e.ApplicationMessage.Topic))
        {
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            e.Response.ReasonString = $"'{identity}' may not publish to {e.ApplicationMessage.Topic}";
            TrustLog.PublishRefused(_logger, identity, e.ApplicationMessage.Topic);
        }

        return Task.CompletedTask;
    }

    public Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        if (e.SessionItems[IdentityItem] is string identity && !TopicAcl.MaySubscribe(identity, (string)e.SessionItems[SiteItem]!, e.TopicFilter.Topic))
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            e.ReasonString = $"'{identity}' may not subscribe to {e.TopicFilter.Topic}";
            TrustLog.SubscribeRefused(_logger, identity, e.TopicFilter.Topic);
        }

        return Task.CompletedTask;
    }

    public Task ForgetAsync(ClientDisconnectedEventArgs e)
    {
        _connected.TryRemove(e.ClientId, out _);
        return Task.CompletedTask;
    }

    /// <summary>Reads the revocation list again when it changed, and drops connected clients it now revokes.</summary>
    public async Task DropRevokedAsync(MqttServer server)
    {
        if (!ReloadRevocations())
        {
            return;
        }

        foreach (var (clientId, certificate) in _connected)
        {
            if (_revoked.IsRevoked(certificate))
            {
                TrustLog.Dropped(_logger, clientId);
                _connected.TryRemove(clientId, out _);
                await server.DisconnectClientAsync(clientId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NotAuthorized, ReasonString = "certificate revoked" }).ConfigureAwait(false);
            }
        }
    }

    private RevocationList Revocations()
    {
        ReloadRevocations();
        return _revoked;
    }

    /// <summary>Whether the list changed (and was read again).</summary>
    private bool ReloadRevocations()
    {
        if (string.IsNullOrEmpty(_options.RevocationList) || !File.Exists(_options.RevocationList))
        {
            return false;
        }

        var stamp = File.GetLastWriteTimeUtc(_options.RevocationList);
        if (stamp == _revokedStamp)
        {
            return false;
        }

        try
        {
            _revoked = RevocationList.Read(_options.RevocationList, _authority);
            _revokedStamp = stamp;
            return true;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException)
        {
            // Keep the last good list: a half-written or forged file revokes nothing and restores nobody.
            TrustLog.BadRevocationList(_logger, _options.RevocationList, ex.Message);
            return false;
        }
    }

    private void Refuse(ValidatingConnectionEventArgs e, MqttConnectReasonCode code, string reason)
    {
        e.ReasonCode = code;
        e.ReasonString = reason;
        TrustLog.Refused(_logger, e.ClientId, reason);
    }
}

internal static partial class TrustLog
{
    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Broker refused client '{Client}': {Reason}")]
    public static partial void Refused(ILogger logger, string client, string reason);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Broker refused a publish by '{Client}' to {Topic}")]
    public static partial void PublishRefused(ILogger logger, string client, string topic);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "Broker refused a subscription by '{Client}' to {Topic}")]
    public static partial void SubscribeRefused(ILogger logger, string client, string topic);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "Broker dropped '{Client}': its certificate was revoked")]
    public static partial void Dropped(ILogger logger, string client);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Error, Message = "Broker kept its last revocation list: {Path} can't be used ({Reason})")]
    public static partial void BadRevocationList(ILogger logger, string path, string reason);
}
