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

    [Fact]
    public void TheDemoTownHasTheRealTownsCamerasEachLaneZoneNamingItsAreaOfficersForDayAndNight()
    {
        var town = DemoTown.Create("town", 56, 8);

        var cameras = town.Document.Cameras;
        Assert.Equal(451, cameras.Count);
        Assert.Equal(cameras.Count, cameras.Select(c => (c.Gateway, c.Id)).Distinct().Count());
        Assert.Equal(3, cameras.Count(c => c.Gateway == DemoTown.TownGateway && c.Group is null));
        foreach (var lane in cameras.Where(c => c.Group is not null))
        {
            Assert.Equal(town.Group(lane.Group!)!.Gateway, lane.Gateway);
            var officers = lane.Zones.Single().Officers.Select(n => town.Document.Staff.Single(s => s.Name == n)).ToList();
            Assert.Equal(["07:00", "19:00"], officers.Select(o => o.Shifts[0].From).Order());
        }

        Assert.Empty(SiteValidator.Validate(town.Document));
    }

    [Fact]
    public void RemovingAnOfficerTakesTheirNameOffTheZonesSoTheRegistryStaysValid()
    {
        var doc = DemoTown.Create("town", 2, 8).Document;
        var named = doc.Cameras[0].Zones[0].Officers[0];

        doc.RemoveStaff(s => s.Name == named);

        Assert.DoesNotContain(doc.Cameras.SelectMany(c => c.Zones), z => z.Officers.Contains(named));
        Assert.Empty(SiteValidator.Validate(doc));
        doc.Cameras[0].Zones[0].Officers.Add(named);
        var error = Assert.Single(SiteValidator.Validate(doc));
        Assert.Equal("cameras[0].zones[0].officers[1]", error.Field);
    }
}
