namespace EdgeWatch.Cloud.Notify;

/// <summary>
/// What a person reads about a fire, Vietnamese by default and English on request. Short enough for one UCS-2 SMS
/// part (70 characters) for a usual household and group name.
/// </summary>
public static class FireMessage
{
    public static string Text(string language, string? household, string? groupName) =>
        language.StartsWith("en", StringComparison.OrdinalIgnoreCase)
            ? $"FIRE at {household ?? "?"}, {groupName ?? "?"}. Get out, call 114."
            : $"CHÁY tại {household ?? "?"}, {groupName ?? "?"}. Thoát ra, gọi 114.";
}
