using System.Text.Json;

namespace EdgeWatch.Cloud.Site;

/// <summary>A registry document that failed validation; nothing of it was applied.</summary>
public sealed class RegistryInvalidException(IReadOnlyList<RegistryError> errors)
    : FormatException($"the site registry is invalid: {string.Join("; ", errors)}")
{
    public IReadOnlyList<RegistryError> Errors { get; } = errors;
}

/// <summary>A validated registry snapshot, indexed for the fire path (no database read when an alarm arrives).</summary>
public sealed class SiteDirectory
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,

        // Vietnamese names and addresses stay readable in the file instead of \uXXXX escapes.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
    private readonly Dictionary<string, GroupDocument> _byGroup;
    private readonly Dictionary<(string Gateway, string Camera), CameraDocument> _byCamera;

    public SiteDirectory(SiteDocument doc)
    {
        Document = doc;
        var errors = SiteValidator.Validate(doc);
        if (errors.Count > 0)
        {
            throw new RegistryInvalidException(errors);
        }

        _byGroup = doc.Groups.ToDictionary(g => g.Id, StringComparer.Ordinal);
        _byCamera = doc.Cameras.ToDictionary(c => (c.Gateway, c.Id));
    }

    public SiteDocument Document { get; }

    public GroupDocument? Group(string id) => _byGroup.GetValueOrDefault(id);

    /// <summary>A camera of the registry by its gateway and id, or null for one the registry doesn't list.</summary>
    public CameraDocument? Camera(string gateway, string camera) => _byCamera.GetValueOrDefault((gateway, camera));

    /// <summary>A site file (JSON, the registry document's shape): the registry's first contents on a new database.</summary>
    public static SiteDirectory Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return new SiteDirectory(JsonSerializer.Deserialize<SiteDocument>(stream, Json) ?? throw new InvalidDataException($"site file '{path}' is empty"));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"site file '{path}' is not valid JSON: {ex.Message}", ex);
        }
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(Document, Json));
}
