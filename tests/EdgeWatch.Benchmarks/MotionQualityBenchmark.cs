using System.Globalization;
using System.Text.Json;
using EdgeWatch.Gateway.Motion;
using EdgeWatch.Testing.Motion;
using OpenCvSharp;

namespace EdgeWatch.Benchmarks;

/// <summary>
/// Detection quality on the evaluation set (<see cref="EvaluationSet"/>): writes the tuning and validation halves,
/// runs the production detector over every clip at 10 fps (the clips' rate) and 5 fps (live cameras' rate), and
/// prints each half's figures by the independent evaluation's rules, the false alarms by distractor, and the
/// detector's time per frame. <c>--dir D</c> keeps the clips in D and reuses them; <c>--settings F</c> tries other
/// settings; <c>--half tuning|validation</c> scores one half; <c>--h264 CRF</c> scores the clips as a camera streams
/// them (<see cref="CameraCompression"/>).
/// </summary>
internal static class MotionQualityBenchmark
{
    public static int Run(string[] args)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"edgewatch-quality-{Environment.ProcessId}");
        var keep = false;
        var settings = MotionSettings.Default;
        string[] halves = [EvaluationSet.Tuning, EvaluationSet.Validation];
        string? trace = null;
        var variants = 2;
        var traceFps = 10.0;
        var withPerson = false;
        var personThreshold = 0.0;
        int? crf = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dir" when i + 1 < args.Length:
                    dir = args[++i];
                    keep = true;
                    break;
                case "--settings" when i + 1 < args.Length:
                    settings = MotionSettings.Load(args[++i]);
                    break;
                case "--half" when i + 1 < args.Length && args[i + 1] is EvaluationSet.Tuning or EvaluationSet.Validation:
                    halves = [args[++i]];
                    break;
                case "--variants" when i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v is >= 1 and <= 10:
                    variants = v;
                    i++;
                    break;
                case "--fps" when i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var f) && f is > 0 and <= 30:
                    traceFps = f;
                    i++;
                    break;
                case "--person":
                    withPerson = true;
                    break;
                case "--person-threshold" when i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var h):
                    personThreshold = h;
                    withPerson = true;
                    i++;
                    break;
                case "--h264" when i + 1 < args.Length && int.TryParse(args[i + 1], out var q) && q is >= 0 and <= 51:
                    crf = q;
                    i++;
                    break;
                case "--trace" when i + 1 < args.Length:
                    trace = args[++i];
                    break;
                default:
                    Console.Error.WriteLine("usage: EdgeWatch.Benchmarks motion-quality [--dir D] [--settings F] [--half tuning|validation] [--variants N (1–10: seeds are 1000 + scene·10 + variant)] [--h264 CRF] [--person] [--person-threshold H] [--trace CLIP|FILE [--fps N]]");
                    return 2;
            }
        }

        Cv2.SetNumThreads(1);
        if (trace is not null)
        {
            // One clip, frame by frame: every track the detector follows (for tuning a filter by eye).
            var clip = File.Exists(trace) ? new MotionClip(Path.GetFileName(trace), trace, "file", 0, [], [])
                : halves.SelectMany(h => Clips(dir, h, variants, crf)).FirstOrDefault(c => c.Name == trace);
            if (clip is null)
            {
                Console.Error.WriteLine($"motion-quality: no clip '{trace}' in {string.Join(", ", halves)}");
                return 2;
            }

            Console.Error.WriteLine($"{clip.Name}: intruders {string.Join(", ", clip.Intruders.Select(x => $"{x.Kind} {x.Start:0.0}-{x.End:0.0}"))}");
            MotionRunner.Run(clip.Path, settings, traceFps, (t, motion, tracks) => Console.Error.WriteLine(
                FormattableString.Invariant($"{t,6:0.0} {(motion.Moving ? "MOVING" : motion.Calibrating ? "calib " : motion.Fault ?? "      ")} ")
                + string.Join(" | ", tracks.Select(k => FormattableString.Invariant($"{(k.Confirmed ? "*" : "")}{k.Box.X},{k.Box.Y} {k.Box.Width}x{k.Box.Height} reach {k.Reach:0} run {t - k.AnchorSeen:0.0}s age {t - k.FirstSeen:0.0}s")))));
            return 0;
        }

        var results = new Dictionary<string, object>();
        var times = new List<double>();
        var checks = new List<double>();
        using var person = withPerson ? new PersonCheck { HitThreshold = personThreshold } : null;
        foreach (var half in halves)
        {
            var clips = Clips(dir, half, variants, crf);
            foreach (var fps in new[] { 10.0, 5.0 })
            {
                var runs = clips.Select(c => (Clip: c, Run: MotionRunner.Run(c.Path, settings, fps, person: person))).ToList();
                times.AddRange(runs.SelectMany(r => r.Run.DetectorMs));
                checks.AddRange(runs.SelectMany(r => r.Run.PersonCheckMs));
                if (person is not null)
                {
                    // What a zone that requires a person would raise: the events the check did not rule out.
                    var kept = MotionScorer.Score(runs.Select(r => (r.Clip, (IReadOnlyList<ScoredEvent>)[.. r.Run.Events.Where(e => e.Person != "false")])));
                    Console.Error.WriteLine($"motion-quality: {half} at {fps} fps, person required: {kept}");
                    foreach (var m in kept.Misses)
                    {
                        Console.Error.WriteLine($"  missed {m}");
                    }

                    results[$"{half}_{fps.ToString(CultureInfo.InvariantCulture)}fps_person_required"] = Figures(kept);
                }

                var score = MotionScorer.Score(runs.Select(r => (r.Clip, r.Run.Events)));
                Console.Error.WriteLine($"motion-quality: {half} at {fps} fps, {score.Clips} clips, {score.Hours * 60:0.0} min: {score}");
                foreach (var m in score.Misses)
                {
                    Console.Error.WriteLine($"  missed {m}");
                }

                foreach (var f in score.FalseAlarmList)
                {
                    Console.Error.WriteLine($"  false alarm {f}");
                }

                results[$"{half}_{fps.ToString(CultureInfo.InvariantCulture)}fps"] = Figures(score);
            }
        }

        times.Sort();
        results["detector_ms"] = new { mean = Math.Round(times.Average(), 3), p95 = Math.Round(times[(int)(times.Count * 0.95)], 3) };
        if (checks.Count > 0)
        {
            checks.Sort();
            results["person_check_ms"] = new { checks = checks.Count, mean = Math.Round(checks.Average(), 2), max = Math.Round(checks[^1], 2) };
        }

        results["bench"] = "motion-quality";
        Console.WriteLine(JsonSerializer.Serialize(results));
        if (!keep)
        {
            Directory.Delete(dir, true);
        }

        return 0;
    }

    private static object Figures(MotionScore score) => new
    {
        f1 = Math.Round(score.F1, 3),
        precision = Math.Round(score.Precision, 3),
        recall = Math.Round(score.Recall, 3),
        false_alarms = score.FalseAlarms,
        false_alarms_per_hour = Math.Round(score.FalseAlarmsPerHour, 1),
        onset_recall = Math.Round(score.OnsetRecall, 3),
        quiet_coverage = Math.Round(score.QuietCoverage, 3),
        false_alarms_by = score.FalseAlarmsBy,
        intruders = score.Intruders,
        minutes = Math.Round(score.Hours * 60, 1),
    };

    private static List<MotionClip> Clips(string dir, string half, int variants, int? crf)
    {
        var clips = Clips(dir, half, variants);
        return crf is { } q ? [.. clips.Select(c => CameraCompression.Compress(c, Path.Combine(dir, $"h264-crf{q}"), q))] : clips;
    }

    private static List<MotionClip> Clips(string dir, string half, int variants)
    {
        var manifest = Path.Combine(dir, $"{half}-{variants}.json"); // one per variant count: more variants are more clips
        if (File.Exists(manifest))
        {
            return JsonSerializer.Deserialize<List<MotionClip>>(File.ReadAllText(manifest))!;
        }

        var clips = EvaluationSet.Write(dir, half, variants);
        File.WriteAllText(manifest, JsonSerializer.Serialize(clips));
        return clips;
    }
}
