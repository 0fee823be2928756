using EdgeWatch.Gateway.Motion;

namespace EdgeWatch.Testing.Motion;

/// <summary>The result of running the detector over one clip.</summary>
/// <param name="DetectorMs">The analysis thread's CPU time per frame: detector, event tracker and (at a start) the person check.</param>
/// <param name="PersonCheckMs">The CPU time of each person check.</param>
public sealed record MotionRun(IReadOnlyList<ScoredEvent> Events, IReadOnlyList<double> DetectorMs, IReadOnlyDictionary<string, int> Faults, IReadOnlyList<double> PersonCheckMs);

/// <summary>
/// Runs the production detector and event tracker over a clip decoded by ffmpeg at a chosen analysis rate (the
/// steps a camera pipeline takes for each frame, without its threads), timing the detector per frame (the thread's CPU time).
/// </summary>
public static class MotionRunner
{
    /// <param name="person">When given, each event's start is checked for a person (as the camera process does).</param>
    public static MotionRun Run(string path, MotionSettings settings, double fps, Action<double, FrameMotion, IReadOnlyList<ObjectTrack>>? trace = null, PersonCheck? person = null)
    {
        using var source = FfmpegFrameSource.Open(path, settings.DetectWidth, settings.DetectHeight, fps);
        using var detector = new MotionDetector(settings);
        var tracker = new MotionEventTracker(settings);
        var events = new List<ScoredEvent>();
        var times = new List<double>();
        var faults = new Dictionary<string, int>();
        var checks = new List<double>();
        string? found = null;
        while (source.TryRead(out var frame, out var seconds))
        {
            var t0 = ThreadCpuTime.NowMs();
            var motion = detector.Detect(frame, seconds);
            var update = tracker.Add(motion, seconds);
            if (person is not null && update is { Phase: "start" })
            {
                var c0 = ThreadCpuTime.NowMs();
                found = person.Check(frame, update.Boxes) switch { true => "true", false => "false", null => "unknown" };
                checks.Add(ThreadCpuTime.NowMs() - c0);
            }

            times.Add(ThreadCpuTime.NowMs() - t0);
            trace?.Invoke(seconds, motion, detector.Tracks);
            if (motion.Fault is { } f)
            {
                faults[f] = faults.GetValueOrDefault(f) + 1;
            }

            if (update is { Phase: "end" })
            {
                events.Add(new ScoredEvent(update.StartSeconds, update.LastMotionSeconds, found));
            }
        }

        if (tracker.Finish() is { } last)
        {
            events.Add(new ScoredEvent(last.StartSeconds, last.LastMotionSeconds, found));
        }

        return new MotionRun(events, times, faults, checks);
    }
}
