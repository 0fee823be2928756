namespace EdgeWatch.Testing;

/// <summary>Paths in the repository the tests run from.</summary>
public static class Repo
{
    /// <summary>The folder holding EdgeWatch.sln, found by walking up from the test's output directory.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeWatch.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new DirectoryNotFoundException($"no EdgeWatch.sln above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>A Debian opencv-doc sample clip, unpacked by test.sh into .cache/samples (or EDGEWATCH_SAMPLES).</summary>
    public static string Sample(string name)
    {
        var dir = Environment.GetEnvironmentVariable("EDGEWATCH_SAMPLES") is { Length: > 0 } env ? env : Path.Combine(Root, ".cache", "samples");
        var path = Path.Combine(dir, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: run ./test.sh, which fetches Debian's opencv-doc sample video", path);
    }
}
