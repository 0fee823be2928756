using System.Diagnostics;
using System.Globalization;
using EdgeWatch.Gateway.Motion;

namespace EdgeWatch.Gateway.Tests.Motion;

[Trait("Category", "Integration")]
public sealed class ClipRecorderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgewatch-clips-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, true);

    private static double Duration(string file)
    {
        using var p = Process.Start(new ProcessStartInfo("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file]) { RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return double.Parse(text, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task EventClipKeepsItsPreAndPostSecondsFromStreamCopiedSegments()
    {
        // A camera-like H.264 stream (a keyframe every second), made from the sample clip.
        Directory.CreateDirectory(_dir);
        var stream = Path.Combine(_dir, "camera.mp4");
        using (var make = Process.Start(new ProcessStartInfo("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", EdgeWatch.Testing.Repo.Sample("vtest.avi"), "-t", "30", "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-an", stream]) { RedirectStandardError = true })!)
        {
            make.StandardError.ReadToEnd();
            make.WaitForExit();
            Assert.Equal(0, make.ExitCode);
        }

        using var recorder = new ClipRecorder("cam-1", stream, _dir, realtime: true);
        var started = DateTime.Now;
        // Wait until segments cover the window (segments start at keyframes, one a second here).
        await EdgeWatch.Testing.Eventually.WaitAsync(() => recorder.Segments().Count >= 4 && recorder.Segments()[^1].Start >= started.AddSeconds(8), TimeSpan.FromSeconds(30), "segments covering the event");

        // An event from 4 s to 5 s after the start, with 2 s before and 1 s after.
        var clip = recorder.KeepEvent(Guid.CreateVersion7(), started.AddSeconds(4), started.AddSeconds(5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
        Assert.NotNull(clip);
        var seconds = Duration(clip!);
        Assert.InRange(seconds, 4 - 0.5, 4 + (2 * recorder.SegmentSeconds) + 1); // the window, rounded out to whole segments
        Assert.NotEmpty(recorder.Segments());
    }
}
