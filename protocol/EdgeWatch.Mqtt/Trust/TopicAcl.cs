namespace EdgeWatch.Mqtt.Trust;

/// <summary>
/// Who may publish and subscribe where, for clients known by certificate. A node publishes only under its own
/// <c>edgewatch/v1/{site}/{id}/</c>, never a command, a desired configuration or an ack, and subscribes only to its
/// own commands, desired configuration and acks; only the aggregator's identity publishes those. The same rules are
/// written as a Mosquitto ACL file by <see cref="MosquittoAcl"/>.
/// </summary>
public static class TopicAcl
{
    /// <summary>The common name of the aggregator's client certificate.</summary>
    public const string Aggregator = "aggregator";

    private const string Root = "edgewatch/v1/";

    /// <summary>What a node writes under its own prefix.</summary>
    public static readonly string[] NodePublishes = ["status", "heartbeat", "evt/#", "snapshot/#", "config/reported", "selftest", "cert/request"];

    /// <summary>What a node reads under its own prefix.</summary>
    public static readonly string[] NodeSubscribes = ["cmd/#", "config/desired", "ack", "cert/issued"];

    public static bool MayPublish(string identity, string site, string topic)
    {
        if (identity == Aggregator)
        {
            return topic.StartsWith(Root, StringComparison.Ordinal);
        }

        var own = $"{Root}{site}/{identity}/";
        return topic.StartsWith(own, StringComparison.Ordinal) && Covered(topic[own.Length..], NodePublishes, wildcardsAllowed: false);
    }

    public static bool MaySubscribe(string identity, string site, string filter)
    {
        if (identity == Aggregator)
        {
            return filter.StartsWith(Root, StringComparison.Ordinal) || filter == "#";
        }

        var own = $"{Root}{site}/{identity}/";
        return filter.StartsWith(own, StringComparison.Ordinal) && Covered(filter[own.Length..], NodeSubscribes, wildcardsAllowed: true);
    }

    /// <summary>Whether <paramref name="rest"/> (a topic or a filter below the node's prefix) lies within one of <paramref name="allowed"/>.</summary>
    private static bool Covered(string rest, string[] allowed, bool wildcardsAllowed)
    {
        if (!wildcardsAllowed && (rest.Contains('+', StringComparison.Ordinal) || rest.Contains('#', StringComparison.Ordinal)))
        {
            return false;
        }

        foreach (var rule in allowed)
        {
            if (rule.EndsWith("/#", StringComparison.Ordinal))
            {
                var stem = rule[..^2];
                if (rest == stem || rest.StartsWith(stem + "/", StringComparison.Ordinal))
                {
                    return true;
                }
            }
            else if (rest == rule)
            {
                return true;
            }
        }

        return false;
    }
}
