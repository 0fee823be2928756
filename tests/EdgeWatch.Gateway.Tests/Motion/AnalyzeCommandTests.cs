using EdgeWatch.Gateway.Motion;

namespace EdgeWatch.Gateway.Tests.Motion;

[Trait("Category", "Integration")]
public class AnalyzeCommandTests
{
    private static string Sample(string name) => EdgeWatch.Testing.Repo.Sample(name);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = AnalyzeCommand.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void RealPedestrianClipReportsMotionWhilePeopleMove()
    {
        var clip = Sample("vtest.avi");
        var (code, output, _) = Run(clip);
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var summary = System.Text.Json.JsonDocument.Parse(lines[^1]).RootElement;
        Assert.Equal("summary", summary.GetProperty("kind").GetString());

        // Every frame the decoder finds in the clip is analysed.
        Assert.Equal(EdgeWatch.Testing.Ffprobe.CountFrames(clip), summary.GetProperty("frames").GetInt32());

        // The detector's own time per frame (analysis only): a mean and a 95th percentile, both measured.
        var detector = summary.GetProperty("detector_ms");
        var (mean, p95) = (detector.GetProperty("mean").GetDouble(), detector.GetProperty("p95").GetDouble());
        Assert.True(mean > 0 && p95 > 0, $"detector mean {mean} ms, p95 {p95} ms");
        Assert.True(mean * summary.GetProperty("frames").GetInt32() <= summary.GetProperty("analyze_ms").GetDouble() * 1.05, "the detector's time is part of the analysis time");
        var events = lines[..^1].Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.NotEmpty(events);

        // People walk through the whole clip: motion must be reported for most of it.
        var duration = EdgeWatch.Testing.Ffprobe.Duration(clip).TotalSeconds;
        var covered = events.Sum(e => e.GetProperty("end_ms").GetInt64() - e.GetProperty("start_ms").GetInt64()) / 1000.0;
        Assert.True(covered >= 0.8 * duration, $"motion reported for only {covered:0.0} s of {duration:0.0} s");
        Assert.All(events, e => Assert.InRange(e.GetProperty("peak_area").GetDouble(), 0.001, 1));
        Assert.All(events, e => Assert.False(e.TryGetProperty("person", out _), "person is given only where the check ran"));
    }

    [Fact]
    public void WithThePersonCheckEachMotionLineSaysWhetherAPersonWasFound()
    {
        var (code, output, _) = Run(Sample("vtest.avi"), "--person");
        Assert.Equal(0, code);
        var events = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[..^1].Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.NotEmpty(events);
        // vtest.avi's one long event starts with people at the picture's edge, which HOG rarely takes for a person;
        // PersonCheckTests measures what the check finds. Here: every line carries its answer.
        Assert.All(events, e => Assert.True(e.GetProperty("person").ValueKind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False, e.ToString()));
    }

    [Fact]
    public void MissingFileExitsNonZeroWithOneLine()
    {
        var (code, output, error) = Run("/no/such/clip.avi");
        Assert.NotEqual(0, code);
        Assert.Empty(output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("no such file", error);
    }

    [Fact]
    public void UnreadableFileExitsNonZeroWithOneLine()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "not a video");
        try
        {
            var (code, _, error) = Run(path);
            Assert.NotEqual(0, code);
            Assert.Contains("not a readable video", error);
            Assert.Single(error.Trim().Split('\n'));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ACameraThatFreezesIsOneTroubleLineAndNoMotion()
    {
        var dir = Directory.CreateTempSubdirectory("edgewatch-frozen-");
        try
        {
            // Live for 4 s, frozen for 35 s, live again: the trouble is reported once the freeze has held 30 s.
            var clip = FrozenClip.Write(Path.Combine(dir.FullName, "frozen.avi"), 4, 35, 8);
            var lines = AnalyzeCommand.Analyze(clip, MotionSettings.Default, out _).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
            var trouble = Assert.Single(lines);
            Assert.Equal("trouble", trouble.GetProperty("kind").GetString());
            Assert.Equal("camera-frozen", trouble.GetProperty("cause").GetString());
            const double frozenFrom = 4; // the frame at 4.0 s is the first repeat of the last live one (3.9 s)
            Assert.InRange(trouble.GetProperty("at_ms").GetInt64(), (long)((frozenFrom + 30) * 1000) - 1, (long)((frozenFrom + 30 + 0.2) * 1000));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void BadSettingsNameTheKey()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, """{ "threshold": 500, "minConsecutiveFrames": 0 }""");
        try
        {
            var (code, _, error) = Run(Sample("tree.avi"), "--settings", path);
            Assert.Equal(2, code);
            Assert.Contains("threshold must be 5–100 (was 500)", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void UnknownSettingsKeyIsRefused()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, """{ "treshold": 30 }""");
        try
        {
            var (code, _, error) = Run(Sample("tree.avi"), "--settings", path);
            Assert.Equal(2, code);
            Assert.Contains("treshold", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void UnexpectedArgumentPrintsUsage()
    {
        var (code, _, error) = Run("a.avi", "b.avi");
        Assert.Equal(2, code);
        Assert.Contains("usage: analyze <video-file>", error);
    }
}
