using System.Text.Json;

namespace EdgeWatch.Hardware.Profiles;

/// <summary>Loads board profiles: a built-in name (<c>rpi4-direct</c>, <c>rpi4-mcp23017</c>) or a path to a JSON file.</summary>
public static class BoardProfiles
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public static IReadOnlyList<string> BuiltIn { get; } = ["rpi4-direct", "rpi4-mcp23017"];

    public static BoardProfile Load(string nameOrPath)
    {
        if (BuiltIn.Contains(nameOrPath))
        {
            using var stream = typeof(BoardProfiles).Assembly.GetManifestResourceStream($"EdgeWatch.Hardware.profiles.{nameOrPath}.json")
                ?? throw new BoardProfileException($"built-in board profile '{nameOrPath}' is missing from the assembly");
            return Parse(stream, nameOrPath);
        }

        if (!File.Exists(nameOrPath))
        {
            throw new BoardProfileException($"board profile '{nameOrPath}' is neither a built-in profile ({string.Join(", ", BuiltIn)}) nor an existing file");
        }

        using var file = File.OpenRead(nameOrPath);
        return Parse(file, nameOrPath);
    }

    /// <summary>The JSON text of a built-in profile or a profile file (for a node bundle); it is validated first.</summary>
    public static string Text(string nameOrPath)
    {
        _ = Load(nameOrPath);
        if (!BuiltIn.Contains(nameOrPath))
        {
            return File.ReadAllText(nameOrPath);
        }

        using var stream = typeof(BoardProfiles).Assembly.GetManifestResourceStream($"EdgeWatch.Hardware.profiles.{nameOrPath}.json")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static BoardProfile Parse(Stream json, string source)
    {
        BoardProfileDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize<BoardProfileDocument>(json, Options);
        }
        catch (JsonException ex)
        {
            throw new BoardProfileException($"board profile '{source}' is not valid JSON: {ex.Message}", ex);
        }

        return BoardProfileValidator.Validate(doc ?? throw new BoardProfileException($"board profile '{source}' is empty"));
    }

    public static BoardProfile Parse(string json, string source = "inline")
    {
        using var ms = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        return Parse(ms, source);
    }
}
