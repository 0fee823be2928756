namespace EdgeWatch.Demo;

/// <summary>Debian packages the site uses, found or not. Fire safety needs none of them.</summary>
public static class SystemPackages
{
    public sealed record Requirement(string Package, string Purpose, Func<bool> Present);

    public static IReadOnlyList<Requirement> Video { get; } =
    [
        new("ffmpeg", "camera streams (RTSP/MJPEG) and sample clips", () => OnPath("ffmpeg")),
        new("libgtk-3-0", "the OpenCV runtime used for motion analysis", () => LibraryPresent("libgtk-3.so.0")),
        new("opencv-doc", "the sample pedestrian video (vtest.avi) for the demo cameras", () => SampleVideo() is not null),
    ];

    /// <summary>The opencv-doc pedestrian clip: unpacked by test.sh into .cache/samples, or installed by the package.</summary>
    public static string? SampleVideo()
    {
        string[] candidates =
        [
            Environment.GetEnvironmentVariable("EDGEWATCH_SAMPLES") is { } dir ? Path.Combine(dir, "vtest.avi") : "",
            Path.Combine(Environment.CurrentDirectory, ".cache", "samples", "vtest.avi"),
            "/usr/share/doc/opencv-doc/examples/data/vtest.avi",
        ];
        return candidates.FirstOrDefault(c => c.Length > 0 && File.Exists(c));
    }

    public static IReadOnlyList<Requirement> Missing(IEnumerable<Requirement> requirements) => [.. requirements.Where(r => !r.Present())];

    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, program)));

    private static readonly string[] LibraryDirectories = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib/arm-linux-gnueabihf", "/lib/x86_64-linux-gnu", "/usr/lib"];

    private static bool LibraryPresent(string soname) => LibraryDirectories.Any(d => File.Exists(Path.Combine(d, soname)));
}
