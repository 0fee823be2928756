using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Mqtt.Trust;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>
/// The gateway's TLS files for the broker (from its node bundle): the site authority and the node's certificate and
/// key. Anything wrong with them is one plain sentence naming the setting, the file and the reason, because the TLS
/// stack itself only says "Transport endpoint is not connected".
/// </summary>
internal static class MqttTlsFiles
{
    public static (X509Certificate2? Authority, X509Certificate2? Client) Load(MqttOptions options, DateTimeOffset now)
    {
        var authority = string.IsNullOrEmpty(options.CaCertificate) ? null : Read("Mqtt:CaCertificate", options.CaCertificate);
        if (string.IsNullOrEmpty(options.ClientCertificate))
        {
            return (authority, null);
        }

        if (string.IsNullOrEmpty(options.ClientKey))
        {
            throw new InvalidOperationException($"Mqtt:ClientKey is not set: the client certificate {options.ClientCertificate} needs its key");
        }

        try
        {
            CertificateRenewal.Recover(options); // a renewal a power cut interrupted
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Mqtt:ClientCertificate {options.ClientCertificate}: a renewed certificate waits beside it and could not be put in place ({ex.Message})", ex);
        }

        using var alone = Read("Mqtt:ClientCertificate", options.ClientCertificate);
        if (!File.Exists(options.ClientKey))
        {
            throw new InvalidOperationException($"Mqtt:ClientKey {options.ClientKey} is missing (the node bundle's node.key)");
        }

        X509Certificate2 client;
        try
        {
            client = X509Certificate2.CreateFromPemFile(options.ClientCertificate, options.ClientKey);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"Mqtt:ClientKey {options.ClientKey} is not the key of {options.ClientCertificate} ({ex.Message.Trim()})", ex);
        }

        if (authority is not null && CertificateCheck.Problem(client, authority, RevocationList.None, now) is { } problem)
        {
            client.Dispose();
            throw new InvalidOperationException($"Mqtt:ClientCertificate {options.ClientCertificate}: {problem}");
        }

        return (authority, client);
    }

    /// <summary>
    /// Puts TLS on <paramref name="builder"/> when <c>Mqtt:UseTls</c> is set, with the bundle's authority and client
    /// certificate; answers the client certificate (null without one). Throws the plain sentence of <see cref="Load"/>.
    /// </summary>
    public static X509Certificate2? Apply(MQTTnet.MqttClientOptionsBuilder builder, MqttOptions options, DateTimeOffset now)
    {
        if (!options.UseTls)
        {
            return null;
        }

        var (authority, client) = Load(options, now);
        builder.WithTlsOptions(o =>
        {
            o.UseTls();
            if (authority is not null)
            {
                o.WithTrustChain(new X509Certificate2Collection(authority));
            }

            if (client is not null)
            {
                o.WithClientCertificates([client]);
            }
        });
        return client;
    }

    /// <summary>
    /// The connect options every connection of the node shares (the uplink adds its Will and keepalive): its client id,
    /// MQTT 5, a persistent session, credentials, and TLS with its bundle's files. Throws the plain sentence of <see cref="Load"/>.
    /// </summary>
    public static MQTTnet.MqttClientOptionsBuilder NodeOptions(MqttOptions options, GatewayOptions gateway, DateTimeOffset now, out X509Certificate2? client)
    {
        var builder = new MQTTnet.MqttClientOptionsBuilder()
            .WithTcpServer(options.Host, options.Port)
            .WithClientId(ClientId(options, gateway))
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(24 * 3600)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (options.Username is not null)
        {
            builder.WithCredentials(options.Username, options.Password);
        }

        client = Apply(builder, options, now);
        return builder;
    }

    /// <summary>The node's MQTT client id: its certificate's name (the gateway id) when it has one.</summary>
    public static string ClientId(MqttOptions options, GatewayOptions gateway) =>
        options.ClientId ?? (options.ClientCertificate is null ? $"gw-{gateway.Site}-{gateway.Id}" : gateway.Id);

    /// <summary>A failed TLS connection, said with what to check (the broker's own reason never reaches the client).</summary>
    public static string Explain(MqttOptions options, string reason) =>
        $"the TLS connection to the broker {options.Host}:{options.Port} failed ({reason}): check that {options.ClientCertificate ?? "the client certificate"} "
        + $"is this site's and not revoked, that the clock is right, and that the broker's certificate comes from {options.CaCertificate ?? "the site authority"}";

    private static X509Certificate2 Read(string key, string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{key} {path} is missing (it comes from the node bundle)");
        }

        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(path));
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"{key} {path} is not a PEM certificate ({ex.Message.Trim()})", ex);
        }
    }
}
