using System.Globalization;
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
}

public sealed class SiteDirectory
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly Dictionary<string, GroupDocument> _byGroup;

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

    /// <summary>A made-up site for the demo: <paramref name="groups"/> groups of <paramref name="households"/> households.</summary>
    public static SiteDirectory Demo(string site, int groups, int households)
    {
        string[] first = ["Ada", "Bo", "Chen", "Dara", "Eli", "Femi", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lena", "Mo", "Nia", "Omar"];
        var doc = new SiteDocument { Site = site };
        for (var g = 1; g <= groups; g++)
        {
            var group = new GroupDocument { Id = $"g{g}", Name = $"Lane {g}", Gateway = $"gw-g{g}" };
            for (var h = 1; h <= households; h++)
            {
                group.Households.Add(new HouseholdDocument
                {
                    Id = $"h{h}",
                    Address = string.Create(CultureInfo.InvariantCulture, $"{h * 2} Lane {g}"),
                    Members =
                    [
                        new MemberDocument { Name = $"{first[(g + h) % first.Length]} {g}-{h}", Phone = string.Create(CultureInfo.InvariantCulture, $"+44 7700 9{g:00}{h:00}1") },
                        new MemberDocument { Name = $"{first[(g + h + 7) % first.Length]} {g}-{h}", Phone = string.Create(CultureInfo.InvariantCulture, $"+44 7700 9{g:00}{h:00}2") },
                    ],
                });
            }

            doc.Groups.Add(group);
        }

        return new SiteDirectory(doc);
    }
}
