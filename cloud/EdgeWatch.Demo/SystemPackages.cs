using EdgeWatch.Cloud;

namespace EdgeWatch.Demo;

/// <summary>Debian packages the site uses, found or not. Fire safety needs none of them.</summary>
public static class SystemPackages
{
    public sealed record Requirement(string Package, string PurposeVi, string PurposeEn, Func<bool> Present)
    {
        public string Purpose(string language) => language == "en" ? PurposeEn : PurposeVi;
    }

    public static IReadOnlyList<Requirement> Video { get; } =
    [
        new("ffmpeg", "luồng camera (RTSP/MJPEG) và video mẫu", "camera streams (RTSP/MJPEG) and sample clips", () => OnPath("ffmpeg")),
        new("libgtk-3-0", "thư viện OpenCV dùng để phân tích chuyển động", "the OpenCV runtime used for motion analysis", () => LibraryPresent("libgtk-3.so.0")),
        new("opencv-doc", "video người đi bộ mẫu (vtest.avi) cho camera của bản demo", "the sample pedestrian video (vtest.avi) for the demo cameras", () => SampleVideo() is not null),
    ];

    /// <summary>
    /// The opencv-doc pedestrian clip: in EDGEWATCH_SAMPLES; in the repository's .cache/samples, where demo.sh and test.sh
    /// unpack it (found by walking up from the program and from the working directory to the folder with EdgeWatch.sln);
    /// or where the Debian package installs it.
    /// </summary>
    public static string? SampleVideo()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("EDGEWATCH_SAMPLES") is { Length: > 0 } dir)
        {
            candidates.Add(Path.Combine(dir, "vtest.avi"));
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            if (Checkout.Root(start) is { } root)
            {
                candidates.Add(Path.Combine(root, ".cache", "samples", "vtest.avi"));
            }
        }

        candidates.Add("/usr/share/doc/opencv-doc/examples/data/vtest.avi");
        return candidates.FirstOrDefault(File.Exists);
    }

    public static IReadOnlyList<Requirement> Missing(IEnumerable<Requirement> requirements) => [.. requirements.Where(r => !r.Present())];

    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, program)));

    private static readonly string[] LibraryDirectories = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib/arm-linux-gnueabihf", "/lib/x86_64-linux-gnu", "/usr/lib"];

    private static bool LibraryPresent(string soname) => LibraryDirectories.Any(d => File.Exists(Path.Combine(d, soname)));
}
