using System.Text.Json;

namespace EdgeWatch.Cloud.Site;

/// <summary>The site file: who lives where and whom to call. Loaded and validated at start.</summary>
public sealed class SiteDocument
{
    public string Site { get; set; } = "";
    public List<GroupDocument> Groups { get; set; } = [];
}

public sealed class GroupDocument
{
    public string Id { get; set; } = "";
    public string? Name { get; set; }

    /// <summary>The name in a fire SMS, which must fit 70 characters with the address (<c>Tổ PCCC số 3</c>).</summary>
    public string? ShortName { get; set; }

    /// <summary>The gateway that serves this group.</summary>
    public string Gateway { get; set; } = "";
    public List<HouseholdDocument> Households { get; set; } = [];
}

public sealed class HouseholdDocument
{
    public string Id { get; set; } = "";
    public string? Address { get; set; }
    public List<MemberDocument> Members { get; set; } = [];
}

public sealed class MemberDocument
{
    public string Name { get; set; } = "";
    public string Phone { get; set; } = "";

    /// <summary>How to reach this person, in order of preference: <c>zns</c> (Zalo), <c>sms</c>, <c>call</c>.</summary>
    public List<string> Channels { get; set; } = ["zns", "sms"];

    /// <summary>What this person reads: <c>vi</c> or <c>en</c>; null for the site's language.</summary>
    public string? Language { get; set; }

    /// <summary>True for made-up people (the demo town, test data): never dial or message them.</summary>
    public bool Fictitious { get; set; }
}

public sealed class SiteDirectory
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,

        // Vietnamese names and addresses stay readable in the file instead of \uXXXX escapes.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
    private readonly Dictionary<string, GroupDocument> _byGroup;

    /// <summary>The person channels, as a member lists them.</summary>
    public static readonly string[] KnownChannels = ["zns", "sms", "call"];

    public SiteDirectory(SiteDocument doc)
    {
        Document = doc;
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(doc.Site))
        {
            errors.Add("'site' is required");
        }

        var groups = new Dictionary<string, GroupDocument>(StringComparer.Ordinal);
        foreach (var g in doc.Groups)
        {
            if (string.IsNullOrWhiteSpace(g.Id) || !groups.TryAdd(g.Id, g))
            {
                errors.Add($"group id '{g.Id}' is empty or repeated");
            }

            if (g.Households.Count is < 1 or > 15)
            {
                errors.Add($"group '{g.Id}' has {g.Households.Count} households; a fire-safety group has 1–15");
            }

            foreach (var h in g.Households.Where(h => h.Members.Count == 0))
            {
                errors.Add($"group '{g.Id}' household '{h.Id}' has no members to notify");
            }

            foreach (var (h, m) in g.Households.SelectMany(h => h.Members.Select(m => (h, m))))
            {
                if (Notify.PhoneNumber.Normalise(m.Phone) is null)
                {
                    errors.Add($"group '{g.Id}' household '{h.Id}' member '{m.Name}': phone is not a Vietnamese mobile number");
                }

                if (m.Channels.Count == 0 || m.Channels.Any(c => !KnownChannels.Contains(c)))
                {
                    errors.Add($"group '{g.Id}' household '{h.Id}' member '{m.Name}': channels must be some of {string.Join(", ", KnownChannels)}");
                }

                if (m.Language is not (null or "vi" or "en"))
                {
                    errors.Add($"group '{g.Id}' household '{h.Id}' member '{m.Name}': language must be 'vi' or 'en'");
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidDataException($"site file is invalid: {string.Join("; ", errors)}");
        }

        _byGroup = groups;
    }

    public SiteDocument Document { get; }

    public GroupDocument? Group(string id) => _byGroup.GetValueOrDefault(id);

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
