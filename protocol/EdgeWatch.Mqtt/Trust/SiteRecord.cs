using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeWatch.Mqtt.Trust;

/// <summary>
/// What a site directory records besides its files (<c>site.json</c>, written by <c>edgewatch-provision</c>): the site,
/// its broker, and every certificate issued, with its revocation.
/// </summary>
public sealed class SiteRecord
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string Site { get; set; } = "";
    public List<string> BrokerHosts { get; set; } = [];
    public int BrokerPort { get; set; } = 8883;
    public long RevocationNumber { get; set; } = 1;
    public List<IssuedCertificate> Issued { get; set; } = [];

    /// <summary>Reads a site record. Throws <see cref="IOException"/>, <see cref="UnauthorizedAccessException"/> or <see cref="JsonException"/> (also for an empty one).</summary>
    public static SiteRecord Read(string path) =>
        JsonSerializer.Deserialize<SiteRecord>(File.ReadAllText(path), Json) ?? throw new JsonException($"{path} holds no site record");

    /// <summary>
    /// Writes the record aside and renames it over <paramref name="path"/>: the tool and the aggregator both write it,
    /// and a reader (or a crash) finds the old record or the new one, never half of one.
    /// </summary>
    public void Write(string path)
    {
        var aside = path + ".new";
        File.WriteAllText(aside, JsonSerializer.Serialize(this, Json));
        File.Move(aside, path, overwrite: true);
    }

    /// <summary>The ids whose every certificate is revoked: nodes that must not be heard from any more.</summary>
    public IReadOnlySet<string> RevokedIds() =>
        Issued.GroupBy(i => i.Id).Where(g => g.All(i => i.RevokedAt is not null)).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
}

public sealed class IssuedCertificate
{
    public string Id { get; set; } = "";
    public string Group { get; set; } = "";
    public string Serial { get; set; } = "";
    public DateTimeOffset NotAfter { get; set; }

    /// <summary>When it was issued (absent in records written before renewal existed).</summary>
    public DateTimeOffset? IssuedAt { get; set; }

    /// <summary>How it came: <c>bundle</c> (edgewatch-provision) or <c>renewal</c> (over MQTT, by the aggregator).</summary>
    public string? Source { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
