namespace EdgeWatch.Mqtt.Trust;

/// <summary>
/// The site's rules (<see cref="TopicAcl"/>) for a Mosquitto broker with <c>use_identity_as_username</c>: the same
/// prefixes, with <c>%u</c> for the node's certificate common name.
/// </summary>
public static class MosquittoAcl
{
    public static string For(string site)
    {
        var lines = new List<string>
        {
            "# EdgeWatch site '" + site + "': written by edgewatch-provision site init. Each node is its certificate's CN (%u).",
            "user " + TopicAcl.Aggregator,
            "topic readwrite edgewatch/v1/#",
            "",
        };
        lines.AddRange(TopicAcl.NodePublishes.Select(t => $"pattern write edgewatch/v1/{site}/%u/{t}"));
        lines.AddRange(TopicAcl.NodeSubscribes.Select(t => $"pattern read edgewatch/v1/{site}/%u/{t}"));
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>A Mosquitto configuration for the site: mutual TLS on <paramref name="port"/>, the ACL and the revocation list.</summary>
    public static string Configuration(string directory, int port) => $"""
        # EdgeWatch site broker: written by edgewatch-provision site init.
        per_listener_settings false
        allow_anonymous false
        listener {port}
        cafile {directory}/ca.crt
        certfile {directory}/broker.crt
        keyfile {directory}/broker.key
        crlfile {directory}/crl.pem
        require_certificate true
        use_identity_as_username true
        tls_version tlsv1.2
        acl_file {directory}/mosquitto/acl
        """ + "\n";
}
