using EdgeWatch.Hardware.Profiles;

namespace EdgeWatch.Hardware.Tests;

public class PinTableDocumentationTests
{
    private static string RepoFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeWatch.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.Combine([dir!.FullName, .. parts]);
    }

    [Theory]
    [InlineData("rpi4-direct")]
    [InlineData("rpi4-mcp23017")]
    public void HardwareReadmePinTableMatchesTheProfile(string name)
    {
        var readme = File.ReadAllText(RepoFile("hardware", "README.md"));
        var section = readme[readme.IndexOf($"### `{name}`", StringComparison.Ordinal)..];
        var next = section.IndexOf("\n### ", 5, StringComparison.Ordinal);
        section = next > 0 ? section[..next] : section;
        foreach (var c in BoardProfiles.Load(name).Channels)
        {
            var where = c.Source switch
            {
                GpioSource g => $"Pi GPIO{g.Pin} ",
                ExpanderSource x => $"`{x.Expander}` GP{(x.Pin < 8 ? "A" : "B")}{x.Pin % 8} ",
                OneWireSource w => $"1-Wire `{w.DeviceId}`",
                AdcSource a => $"`{a.Adc}` AIN{a.Channel} ",
                _ => throw new InvalidOperationException(),
            };
            var row = section.Split('\n').FirstOrDefault(l => l.StartsWith($"| `{c.Id}` |", StringComparison.Ordinal));
            Assert.True(row is not null, $"hardware/README.md has no row for {name} channel {c.Id}");
            Assert.Contains(where, row);
        }
    }
}
