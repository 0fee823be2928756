namespace EdgeWatch.Cloud;

/// <summary>The repository checkout a program runs from, when it runs from one (dotnet run, the demo, tests).</summary>
internal static class Checkout
{
    /// <summary>The nearest folder at or above <paramref name="start"/> that holds EdgeWatch.sln, or null.</summary>
    public static string? Root(string start)
    {
        for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "EdgeWatch.sln")))
            {
                return d.FullName;
            }
        }

        return null;
    }
}
