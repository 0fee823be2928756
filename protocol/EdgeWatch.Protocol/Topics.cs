namespace EdgeWatch.Protocol;

/// <summary>
/// Every MQTT topic EdgeWatch uses. All topics live under
/// <c>edgewatch/v1/{site}/{gateway}/…</c>; see PROTOCOL.md.
/// </summary>
public static class Topics
{
    public const string Root = "edgewatch/v1";

    public static string Status(string site, string gateway) => $"{Root}/{site}/{gateway}/status";
    public static string Heartbeat(string site, string gateway) => $"{Root}/{site}/{gateway}/heartbeat";
    public static string FireEvents(string site, string gateway) => $"{Root}/{site}/{gateway}/evt/fire";
    public static string TroubleEvents(string site, string gateway) => $"{Root}/{site}/{gateway}/evt/trouble";
    public static string MotionEvents(string site, string gateway) => $"{Root}/{site}/{gateway}/evt/motion";
    public static string Snapshot(string site, string gateway, Guid eventId) => $"{Root}/{site}/{gateway}/snapshot/{eventId:D}";
    public static string Command(string site, string gateway, string name) => $"{Root}/{site}/{gateway}/cmd/{name}";
    public static string CommandFilter(string site, string gateway) => $"{Root}/{site}/{gateway}/cmd/+";
    public static string DesiredConfig(string site, string gateway) => $"{Root}/{site}/{gateway}/config/desired";
    public static string Ack(string site, string gateway) => $"{Root}/{site}/{gateway}/ack";
    public static string ReportedConfig(string site, string gateway) => $"{Root}/{site}/{gateway}/config/reported";
    public static string Selftest(string site, string gateway) => $"{Root}/{site}/{gateway}/selftest";
    public static string CertificateRequest(string site, string gateway) => $"{Root}/{site}/{gateway}/cert/request";
    public static string CertificateIssued(string site, string gateway) => $"{Root}/{site}/{gateway}/cert/issued";

    /// <summary>Whether a topic purpose is one the aggregator sends to a gateway (a command, its desired configuration, an ack, a renewed certificate).</summary>
    public static bool IsToGateway(string purpose) => purpose is "config/desired" or "ack" or "cert/issued" || purpose.StartsWith("cmd/", StringComparison.Ordinal);

    /// <summary>Everything gateways publish: the aggregator's single subscription.</summary>
    public const string AllGatewayTrafficFilter = Root + "/#";

    /// <summary>Splits a topic into its parts, or returns false when it is not an EdgeWatch v1 topic.</summary>
    public static bool TryParse(string topic, out TopicAddress address)
    {
        address = default;
        if (string.IsNullOrEmpty(topic))
        {
            return false;
        }

        var parts = topic.Split('/');
        if (parts.Length < 5 || parts[0] != "edgewatch" || parts[1] != "v1")
        {
            return false;
        }

        if (parts[2].Length == 0 || parts[3].Length == 0)
        {
            return false;
        }

        address = new TopicAddress(parts[2], parts[3], string.Join('/', parts, 4, parts.Length - 4));
        return true;
    }
}

/// <summary>The parts of an EdgeWatch topic: site, gateway and the purpose path (for example <c>evt/fire</c>).</summary>
public readonly record struct TopicAddress(string Site, string Gateway, string Purpose);
