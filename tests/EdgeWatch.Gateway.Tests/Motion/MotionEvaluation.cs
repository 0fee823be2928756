using System.Text.Json;
using EdgeWatch.Gateway.Motion;

namespace EdgeWatch.Gateway.Tests.Motion;

internal sealed record DetectedEvent(double Start, double End, double PeakArea, int[][] Boxes);

/// <summary>Generates the labelled clips once and runs every one through the production pipeline (ffmpeg + detector).</summary>
public sealed class MotionEvaluation : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgewatch-clips-" + Guid.NewGuid().ToString("N"));

    public MotionEvaluation()
    {
        Directory.CreateDirectory(_dir);
        Clips = LabelledClips.All(_dir);
        foreach (var clip in Clips)
        {
            var lines = AnalyzeCommand.Analyze(clip.Path, MotionSettings.Default, out var summary);
            Results[clip.Name] = [.. lines.Select(Parse)];
            Summaries[clip.Name] = summary;
        }
    }

    internal IReadOnlyList<LabelledClip> Clips { get; }
    internal Dictionary<string, List<DetectedEvent>> Results { get; } = [];
    internal Dictionary<string, string> Summaries { get; } = [];

    private static DetectedEvent Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        Assert.Equal("motion", r.GetProperty("kind").GetString());
        return new DetectedEvent(
            r.GetProperty("start_ms").GetInt64() / 1000.0,
            r.GetProperty("end_ms").GetInt64() / 1000.0,
            r.GetProperty("peak_area").GetDouble(),
            [.. r.GetProperty("boxes").EnumerateArray().Select(b => b.EnumerateArray().Select(v => v.GetInt32()).ToArray())]);
    }

    public void Dispose() => Directory.Delete(_dir, true);
}

[Trait("Category", "Integration")]
public class MotionDetectionTests(MotionEvaluation eval) : IClassFixture<MotionEvaluation>
{
    private const double Tolerance = 0.6; // seconds: three frames at 5 fps

    private static string Describe(IEnumerable<DetectedEvent> events) => string.Join("; ", events.Select(e => $"{e.Start:0.0}–{e.End:0.0}s area {e.PeakArea:0.0000}"));

    [Fact]
    public void EveryIntruderRaisesANewEvent()
    {
        var intruders = 0;
        var found = 0;
        var misses = new List<string>();
        foreach (var clip in eval.Clips.Where(c => !c.DistractorOnly))
        {
            foreach (var (start, end) in clip.Intruders)
            {
                intruders++;
                // A new event: it starts while the intruder is there, not before it appeared.
                if (eval.Results[clip.Name].Any(e => e.Start >= start - Tolerance && e.Start <= end))
                {
                    found++;
                }
                else
                {
                    misses.Add($"{clip.Name} {start:0.0}–{end:0.0}s (events: {Describe(eval.Results[clip.Name])})");
                }
            }
        }

        var recall = found / (double)intruders;
        Assert.True(recall >= 0.95, $"recall {recall:0.00} of {intruders} intruders; missed {string.Join(" | ", misses)}");
    }

    [Fact]
    public void DistractorsRaiseAtMostOneFalseAlarmPerHour()
    {
        var distractors = eval.Clips.Where(c => c.DistractorOnly).ToList();
        var hours = distractors.Sum(c => c.Seconds) / 3600;
        var falseAlarms = distractors.SelectMany(c => eval.Results[c.Name].Select(e => $"{c.Name}: {e.Start:0.0}–{e.End:0.0}s area {e.PeakArea:0.0000}")).ToList();
        // Intruder clips: an event that overlaps no intruder is a false alarm too.
        foreach (var clip in eval.Clips.Where(c => !c.DistractorOnly))
        {
            hours += clip.Seconds / 3600;
            falseAlarms.AddRange(eval.Results[clip.Name]
                .Where(e => !clip.Intruders.Any(i => e.End >= i.Start - Tolerance && e.Start <= i.End + Tolerance))
                .Select(e => $"{clip.Name}: {e.Start:0.0}–{e.End:0.0}s"));
        }

        Assert.True(falseAlarms.Count / hours <= 1.0, $"{falseAlarms.Count} false alarms in {hours * 60:0} minutes: {string.Join(" | ", falseAlarms)}");
    }

    [Fact]
    public void EventsCoverLittleOfTheQuietTime()
    {
        foreach (var clip in eval.Clips.Where(c => !c.DistractorOnly))
        {
            var quiet = clip.Seconds - clip.Intruders.Sum(i => i.End - i.Start);
            var covered = 0.0;
            foreach (var e in eval.Results[clip.Name])
            {
                var overlap = clip.Intruders.Sum(i => Math.Max(0, Math.Min(e.End, i.End) - Math.Max(e.Start, i.Start)));
                covered += Math.Max(0, e.End - e.Start - overlap);
            }

            Assert.True(covered <= 0.1 * quiet, $"{clip.Name}: events cover {covered:0.0} s of {quiet:0.0} s quiet time ({Describe(eval.Results[clip.Name])})");
        }
    }

    [Fact]
    public void DetectorSettlesWithinTenSeconds()
    {
        foreach (var clip in eval.Clips)
        {
            var firstIntruder = clip.Intruders.Count == 0 ? double.MaxValue : clip.Intruders.Min(i => i.Start);
            var early = eval.Results[clip.Name].Where(e => e.Start < Math.Min(10, firstIntruder - Tolerance)).ToList();
            Assert.True(early.Count == 0, $"{clip.Name}: events before the detector settled: {Describe(early)}");
        }
    }

    [Fact]
    public void BoxesAndAreaDescribeTheIntruder()
    {
        var vehicle = eval.Results["vehicle"];
        Assert.NotEmpty(vehicle);
        Assert.All(vehicle, e =>
        {
            Assert.InRange(e.PeakArea, 0.005, 0.2);
            Assert.NotEmpty(e.Boxes);
            Assert.All(e.Boxes, b => Assert.Equal(4, b.Length));
        });
    }

    [Fact]
    public void SummaryCountsEveryFrame()
    {
        using var doc = JsonDocument.Parse(eval.Summaries["walkers"]);
        Assert.Equal("summary", doc.RootElement.GetProperty("kind").GetString());
        Assert.Equal(300, doc.RootElement.GetProperty("frames").GetInt32());
        Assert.Equal(60.0, doc.RootElement.GetProperty("seconds").GetDouble(), 0.01);
        Assert.True(doc.RootElement.GetProperty("decode_ms").GetDouble() > 0);
    }
}
