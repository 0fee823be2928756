using System.Text.RegularExpressions;
using EdgeWatch.Cloud.Site;

namespace EdgeWatch.Cloud.Tests;

public partial class DemoTownTests
{
    [GeneratedRegex(@"^\+84 9\d \d{3} \d{4}$")]
    private static partial Regex VietnameseMobile();

    [Fact]
    public void EveryDemoMemberIsMarkedFictitiousAndHasAVietnameseMobileNumber()
    {
        var town = DemoTown.Create("town", 56, 8);

        var members = town.Document.Groups.SelectMany(g => g.Households).SelectMany(h => h.Members).ToList();
        Assert.Equal(56 * 8 * 2, members.Count);
        Assert.All(members, m =>
        {
            Assert.True(m.Fictitious, $"{m.Name} is not marked fictitious");
            Assert.Matches(VietnameseMobile(), m.Phone);
        });
        Assert.Equal(members.Count, members.Select(m => m.Phone).Distinct().Count());
    }

    [Fact]
    public void DemoNamesAndAddressesAreVietnameseAndNamesDoNotRepeatWithinAGroup()
    {
        var town = DemoTown.Create("town", 4, 15);

        foreach (var group in town.Document.Groups)
        {
            Assert.Contains("Tổ", group.Name, StringComparison.Ordinal);
            var names = group.Households.SelectMany(h => h.Members).Select(m => m.Name).ToList();
            Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
            Assert.All(group.Households, h => Assert.Contains(DemoTown.TownName, h.Address, StringComparison.Ordinal));
        }

        // Vietnamese names carry diacritics: most of them have a letter outside ASCII.
        var all = town.Document.Groups.SelectMany(g => g.Households).SelectMany(h => h.Members).Select(m => m.Name).ToList();
        Assert.True(all.Count(n => n.Any(c => c > 127)) > all.Count / 2, string.Join(", ", all.Take(10)));
    }

    [Fact]
    public void SiteFileKeepsVietnameseTextReadableAndLoadsBackTheSame()
    {
        var path = Path.Combine(Eventually.TempDirectory("edgewatch-town"), "site.json");
        var town = DemoTown.Create("town", 2, 8);
        town.Save(path);

        var text = File.ReadAllText(path);
        var first = town.Document.Groups[0].Households[0].Members[0];
        Assert.Contains(first.Name, text, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", text, StringComparison.Ordinal);

        var loaded = SiteDirectory.Load(path).Group("g1")!.Households[0].Members[0];
        Assert.Equal((first.Name, first.Phone, first.Fictitious), (loaded.Name, loaded.Phone, loaded.Fictitious));
    }
}
