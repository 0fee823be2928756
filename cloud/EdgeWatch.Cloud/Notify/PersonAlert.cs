using System.Text.Json;

namespace EdgeWatch.Cloud.Notify;

/// <summary>
/// The payload of a notification to one person, whichever channel carries it: each channel renders it (a ZNS
/// template's data, an SMS text, a call). <see cref="Fallback"/> is the rest of the person's channels, tried in order
/// when this one refuses or gives up. <see cref="Details"/> marks the second, longer SMS that follows the first.
/// </summary>
public sealed record PersonAlert
{
    public required string Kind { get; init; }
    public required string Name { get; init; }
    public required string Phone { get; init; }
    public string? Household { get; init; }
    public string? Address { get; init; }
    public string? GroupName { get; init; }
    public string? GroupShortName { get; init; }
    public required DateTimeOffset At { get; init; }

    /// <summary>The heat detector's reading, for a heat alarm.</summary>
    public double? Celsius { get; init; }
    public required string Language { get; init; }
    public IReadOnlyList<string> Fallback { get; init; } = [];
    public bool Details { get; init; }

    public bool English => Language.StartsWith("en", StringComparison.OrdinalIgnoreCase);

    public string ToJson() => JsonSerializer.Serialize(this, CloudJsonContext.Default.PersonAlert);

    public static PersonAlert Parse(string json) =>
        JsonSerializer.Deserialize(json, CloudJsonContext.Default.PersonAlert) ?? throw new JsonException("an empty person alert");
}
