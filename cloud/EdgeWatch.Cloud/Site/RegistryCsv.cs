using System.Globalization;
using CsvHelper;

namespace EdgeWatch.Cloud.Site;

/// <summary>
/// The registry's members as CSV, one row per member, the way a commune keeps its list in a spreadsheet:
/// <c>group,group_name,group_short_name,gateway,household,address,name,phone,channels,language</c>, with
/// <c>channels</c> like <c>zns;sms</c>. A CSV import replaces the groups and keeps the staff (staff and shifts are
/// imported as YAML). Errors name the line and the column.
/// </summary>
public static class RegistryCsv
{
    public static readonly string[] Columns = ["group", "group_name", "group_short_name", "gateway", "household", "address", "name", "phone", "channels", "language"];

    /// <summary>Columns written on export that an import may leave out.</summary>
    public static readonly string[] OptionalColumns = ["email"];

    private static readonly string[] Written = [.. Columns, .. OptionalColumns];

    public static string Write(SiteDocument doc)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions(), true))
        {
            csv.WriteHeader(Written);
            foreach (var g in doc.Groups)
            {
                foreach (var h in g.Households)
                {
                    foreach (var m in h.Members)
                    {
                        csv.WriteRecord([g.Id, g.Name ?? "", g.ShortName ?? "", g.Gateway, h.Id, h.Address ?? "", m.Name, m.Phone, string.Join(";", m.Channels), m.Language ?? "", m.Email ?? ""]);
                    }
                }
            }

            csv.Flush();
        }

        return text.ToString();
    }

    /// <summary>The groups of <paramref name="text"/> merged into a copy of <paramref name="current"/>, or every error.</summary>
    public static (SiteDocument? Document, IReadOnlyList<RegistryError> Errors) Read(string text, SiteDocument current)
    {
        var errors = new List<RegistryError>();
        var groups = new List<GroupDocument>();
        using var csv = CsvReader.FromText(text, new CsvReaderOptions { HasHeader = true, TrimWhitespace = true, TrackLineNumbers = true, SkipEmptyLines = true });
        try
        {
            csv.ReadHeader();
            var missing = Columns.Where(c => csv.Headers is null || !csv.Headers.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                return (null, [new RegistryError("header", $"missing columns: {string.Join(", ", missing)}", 1)]);
            }

            while (csv.Read())
            {
                var line = (int)csv.LineNumber;
                string? Field(string name) => csv.Headers!.Contains(name) && csv.GetString(name) is { Length: > 0 } v ? v : null;
                var groupId = Field("group") ?? "";
                var group = groups.FirstOrDefault(g => g.Id == groupId);
                if (group is null)
                {
                    group = new GroupDocument { Id = groupId, Name = Field("group_name"), ShortName = Field("group_short_name"), Gateway = Field("gateway") ?? "", Line = line };
                    groups.Add(group);
                }
                else if (group.Gateway != (Field("gateway") ?? ""))
                {
                    errors.Add(new("gateway", $"group '{groupId}' was given gateway '{group.Gateway}' on line {group.Line}", line));
                }

                var householdId = Field("household") ?? "";
                var household = group.Households.FirstOrDefault(h => h.Id == householdId);
                if (household is null)
                {
                    household = new HouseholdDocument { Id = householdId, Address = Field("address"), Line = line };
                    group.Households.Add(household);
                }

                household.Members.Add(new MemberDocument
                {
                    Name = Field("name") ?? "",
                    Phone = Field("phone") ?? "",
                    Channels = [.. (Field("channels") ?? "zns;sms").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                    Language = Field("language"),
                    Email = Field("email"),
                    Line = line,
                });
            }
        }
        catch (Exception ex) when (ex is CsvFormatException or CsvValidationException or FormatException)
        {
            errors.Add(new("csv", ex.Message.Split('\n')[0], (int)csv.LineNumber));
        }

        var doc = RegistryCopy.Of(current);
        doc.Groups = groups;
        return errors.Count == 0 ? (doc, errors) : (null, errors);
    }
}
