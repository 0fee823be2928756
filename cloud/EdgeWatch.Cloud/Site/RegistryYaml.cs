using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace EdgeWatch.Cloud.Site;

/// <summary>
/// The registry as YAML (the document's shape, camelCase keys). Reading keeps each group's, household's and person's
/// line, so an error says where; an unknown key or a value of the wrong type is an error, not silently dropped.
/// </summary>
public static class RegistryYaml
{
    private static readonly ISerializer Writer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .Build();

    public static string Write(SiteDocument doc) => Writer.Serialize(doc);

    /// <summary>The document, or every error found in it (with its line).</summary>
    public static (SiteDocument? Document, IReadOnlyList<RegistryError> Errors) Read(string text)
    {
        var errors = new List<RegistryError>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            return (null, [new RegistryError("yaml", ex.InnerException?.Message ?? ex.Message, (int)ex.Start.Line)]);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return (null, [new RegistryError("yaml", "expected one document with site, groups, staff and cameras", 1)]);
        }

        var reader = new Reader(errors);
        var doc = new SiteDocument();
        reader.Map(root, "", new()
        {
            ["site"] = (n, at) => doc.Site = reader.Text(n, at) ?? "",
            ["groups"] = (n, at) => doc.Groups = reader.List(n, at, Group),
            ["staff"] = (n, at) => doc.Staff = reader.List(n, at, Staff),
            ["cameras"] = (n, at) => doc.Cameras = reader.List(n, at, Camera),
        });
        return errors.Count == 0 ? (doc, errors) : (null, errors);

        GroupDocument Group(YamlNode node, string at)
        {
            var g = new GroupDocument { Line = Line(node) };
            reader.Map(node, at, new()
            {
                ["id"] = (n, a) => g.Id = reader.Text(n, a) ?? "",
                ["name"] = (n, a) => g.Name = reader.Text(n, a),
                ["shortName"] = (n, a) => g.ShortName = reader.Text(n, a),
                ["leader"] = (n, a) => g.Leader = reader.Text(n, a),
                ["gateway"] = (n, a) => g.Gateway = reader.Text(n, a) ?? "",
                ["households"] = (n, a) => g.Households = reader.List(n, a, Household),
            });
            return g;
        }

        HouseholdDocument Household(YamlNode node, string at)
        {
            var h = new HouseholdDocument { Line = Line(node) };
            reader.Map(node, at, new()
            {
                ["id"] = (n, a) => h.Id = reader.Text(n, a) ?? "",
                ["address"] = (n, a) => h.Address = reader.Text(n, a),
                ["latitude"] = (n, a) => h.Latitude = reader.Number(n, a),
                ["longitude"] = (n, a) => h.Longitude = reader.Number(n, a),
                ["members"] = (n, a) => h.Members = reader.List(n, a, (m, ma) => Person(new MemberDocument(), m, ma, [])),
            });
            return h;
        }

        CameraDocument Camera(YamlNode node, string at)
        {
            var c = new CameraDocument { Line = Line(node) };
            reader.Map(node, at, new()
            {
                ["id"] = (n, a) => c.Id = reader.Text(n, a) ?? "",
                ["gateway"] = (n, a) => c.Gateway = reader.Text(n, a) ?? "",
                ["name"] = (n, a) => c.Name = reader.Text(n, a),
                ["group"] = (n, a) => c.Group = reader.Text(n, a),
                ["zones"] = (n, a) => c.Zones = reader.List(n, a, Zone),
            });
            return c;
        }

        ZoneDocument Zone(YamlNode node, string at)
        {
            var z = new ZoneDocument();
            reader.Map(node, at, new()
            {
                ["id"] = (n, a) => z.Id = reader.Text(n, a) ?? "",
                ["name"] = (n, a) => z.Name = reader.Text(n, a),
                ["officers"] = (n, a) => z.Officers = reader.List(n, a, (o, oa) => reader.Text(o, oa) ?? ""),
            });
            return z;
        }

        StaffDocument Staff(YamlNode node, string at)
        {
            var s = new StaffDocument();
            return Person(s, node, at, new()
            {
                ["role"] = (n, a) => s.Role = reader.Text(n, a) ?? "",
                ["shifts"] = (n, a) => s.Shifts = reader.List(n, a, Shift),
            });
        }

        ShiftDocument Shift(YamlNode node, string at)
        {
            var shift = new ShiftDocument();
            reader.Map(node, at, new()
            {
                ["days"] = (n, a) => shift.Days = reader.List(n, a, (d, da) => reader.Text(d, da) ?? ""),
                ["from"] = (n, a) => shift.From = reader.Text(n, a) ?? "",
                ["to"] = (n, a) => shift.To = reader.Text(n, a) ?? "",
                ["level"] = (n, a) => shift.Level = (int)(reader.Number(n, a) ?? 0),
            });
            return shift;
        }

        T Person<T>(T p, YamlNode node, string at, Dictionary<string, Action<YamlNode, string>> more)
            where T : PersonDocument
        {
            p.Line = Line(node);
            var fields = new Dictionary<string, Action<YamlNode, string>>(more)
            {
                ["name"] = (n, a) => p.Name = reader.Text(n, a) ?? "",
                ["phone"] = (n, a) => p.Phone = reader.Text(n, a) ?? "",
                ["channels"] = (n, a) => p.Channels = reader.List(n, a, (c, ca) => reader.Text(c, ca) ?? ""),
                ["language"] = (n, a) => p.Language = reader.Text(n, a),
                ["email"] = (n, a) => p.Email = reader.Text(n, a),
                ["fictitious"] = (n, a) => p.Fictitious = reader.Text(n, a) is "true" or "yes",
            };
            reader.Map(node, at, fields);
            return p;
        }
    }

    private static int Line(YamlNode node) => (int)node.Start.Line;

    private sealed class Reader(List<RegistryError> errors)
    {
        public void Map(YamlNode node, string at, Dictionary<string, Action<YamlNode, string>> fields)
        {
            if (node is not YamlMappingNode map)
            {
                errors.Add(new(at.Length == 0 ? "yaml" : at, "expected a mapping (key: value)", Line(node)));
                return;
            }

            foreach (var (key, value) in map.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? "";
                var path = at.Length == 0 ? name : $"{at}.{name}";
                if (fields.TryGetValue(name, out var read))
                {
                    read(value, path);
                }
                else
                {
                    errors.Add(new(path, $"unknown field (known: {string.Join(", ", fields.Keys)})", Line(key)));
                }
            }
        }

        public List<T> List<T>(YamlNode node, string at, Func<YamlNode, string, T> item)
        {
            if (node is not YamlSequenceNode seq)
            {
                errors.Add(new(at, "expected a list", Line(node)));
                return [];
            }

            return [.. seq.Children.Select((n, i) => item(n, $"{at}[{i.ToString(CultureInfo.InvariantCulture)}]"))];
        }

        public string? Text(YamlNode node, string at)
        {
            if (node is YamlScalarNode scalar)
            {
                return scalar.Value is "" or "~" or "null" && scalar.Style == ScalarStyle.Plain ? null : scalar.Value;
            }

            errors.Add(new(at, "expected a single value", Line(node)));
            return null;
        }

        public double? Number(YamlNode node, string at)
        {
            if (Text(node, at) is not { } text)
            {
                return null;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                return v;
            }

            errors.Add(new(at, $"'{text}' is not a number", Line(node)));
            return null;
        }
    }
}
