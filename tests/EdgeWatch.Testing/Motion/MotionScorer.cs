namespace EdgeWatch.Testing.Motion;

/// <summary>The figures for a set of clips, by the rules of the independent evaluation.</summary>
public sealed record MotionScore(
    int Clips, double Hours, int Intruders, int Detected, int Events, int TrueEvents, int FalseAlarms, int Onsets,
    double QuietSeconds, double QuietCovered, IReadOnlyDictionary<string, int> FalseAlarmsBy, IReadOnlyList<string> Misses, IReadOnlyList<string> FalseAlarmList)
{
    public double Recall => Intruders == 0 ? 1 : Detected / (double)Intruders;
    public double Precision => Events == 0 ? 1 : TrueEvents / (double)Events;
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
    public double FalseAlarmsPerHour => FalseAlarms / Hours;
    public double OnsetRecall => Intruders == 0 ? 1 : Onsets / (double)Intruders;
    public double QuietCoverage => QuietSeconds == 0 ? 0 : QuietCovered / QuietSeconds;

    public override string ToString() =>
        $"F1 {F1:0.000} · precision {Precision:0.000} · recall {Recall:0.000} ({Detected}/{Intruders}) · false alarms {FalseAlarms} ({FalseAlarmsPerHour:0.0}/h) · onset recall {OnsetRecall:0.000} · quiet coverage {QuietCoverage:0.000}"
        + (FalseAlarmsBy.Count == 0 ? "" : " · by distractor: " + string.Join(", ", FalseAlarmsBy.Select(kv => $"{kv.Key} {kv.Value}")));
}

/// <summary>
/// Scores detected events against labelled clips with the independent evaluation's rules:
/// <list type="bullet">
/// <item>events that start in the first 10 s of a clip (warm-up) are ignored;</item>
/// <item>recall: an intruder is detected if any event overlaps its interval;</item>
/// <item>precision: the share of events that overlap an intruder (one event over two intruders counts once);</item>
/// <item>a false alarm is an event that overlaps no intruder;</item>
/// <item>onset recall: the share of intruders for which a new event starts between 1.5 s before the interval and its end;</item>
/// <item>quiet-time coverage: the share of the time more than 1 s before and 5 s after every intruder (after the
/// warm-up) that lies inside events.</item>
/// </list>
/// </summary>
public static class MotionScorer
{
    public const double WarmUp = 10;

    public static MotionScore Score(IEnumerable<(MotionClip Clip, IReadOnlyList<ScoredEvent> Events)> results)
    {
        int clips = 0, intruders = 0, detected = 0, events = 0, trueEvents = 0, onsets = 0;
        double seconds = 0, quiet = 0, covered = 0;
        var by = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var misses = new List<string>();
        var falseAlarms = new List<string>();
        foreach (var (clip, all) in results)
        {
            clips++;
            seconds += clip.Seconds;
            var counted = all.Where(e => e.Start >= WarmUp).ToList();
            foreach (var i in clip.Intruders)
            {
                intruders++;
                var hit = counted.Any(e => Overlaps(e, i.Start, i.End));
                detected += hit ? 1 : 0;
                onsets += counted.Any(e => e.Start >= i.Start - 1.5 && e.Start <= i.End) ? 1 : 0;
                if (!hit)
                {
                    misses.Add($"{clip.Half}/{clip.Name} {i.Kind} {i.Start:0.0}–{i.End:0.0}s");
                }
            }

            foreach (var e in counted)
            {
                events++;
                if (clip.Intruders.Any(i => Overlaps(e, i.Start, i.End)))
                {
                    trueEvents++;
                    continue;
                }

                var kind = clip.Distractors.FirstOrDefault(d => e.End >= d.Start - 1 && e.Start <= d.End + 1)?.Kind ?? "none";
                by[kind] = by.GetValueOrDefault(kind) + 1;
                falseAlarms.Add($"{clip.Half}/{clip.Name} {e.Start:0.0}–{e.End:0.0}s ({kind})");
            }

            const double step = 0.05;
            for (var t = WarmUp; t < clip.Seconds; t += step)
            {
                if (clip.Intruders.Any(i => t >= i.Start - 1 && t <= i.End + 5))
                {
                    continue;
                }

                quiet += step;
                if (counted.Any(e => t >= e.Start && t <= e.End))
                {
                    covered += step;
                }
            }
        }

        return new MotionScore(clips, seconds / 3600, intruders, detected, events, trueEvents, falseAlarms.Count, onsets, quiet, covered, by, misses, falseAlarms);
    }

    private static bool Overlaps(ScoredEvent e, double start, double end) => e.End >= start && e.Start <= end;
}
