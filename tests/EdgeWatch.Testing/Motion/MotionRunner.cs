using System.Diagnostics;
using EdgeWatch.Gateway.Motion;

namespace EdgeWatch.Testing.Motion;

/// <summary>The result of running the detector over one clip.</summary>
public sealed record MotionRun(IReadOnlyList<ScoredEvent> Events, IReadOnlyList<double> DetectorMs, IReadOnlyDictionary<string, int> Faults);

/// <summary>
/// Runs the production detector and event tracker over a clip decoded by ffmpeg at a chosen analysis rate (the
/// steps a camera pipeline takes for each frame, without its threads), timing the detector per frame.
/// </summary>
public static class MotionRunner
{
    public static MotionRun Run(string path, MotionSettings settings, double fps, Action<double, FrameMotion, IReadOnlyList<ObjectTrack>>? trace = null)
    {
        using var source = FfmpegFrameSource.Open(path, settings.DetectWidth, settings.DetectHeight, fps);
        using var detector = new MotionDetector(settings);
        var tracker = new MotionEventTracker(settings);
        var events = new List<ScoredEvent>();
        var times = new List<double>();
        var faults = new Dictionary<string, int>();
        while (source.TryRead(out var frame, out var seconds))
        {
            var t0 = Stopwatch.GetTimestamp();
            var motion = detector.Detect(frame, seconds);
            var update = tracker.Add(motion, seconds);
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            trace?.Invoke(seconds, motion, detector.Tracks);
            if (motion.Fault is { } f)
            {
                faults[f] = faults.GetValueOrDefault(f) + 1;
            }

            if (update is { Phase: "end" })
            {
                events.Add(new ScoredEvent(update.StartSeconds, update.LastMotionSeconds));
            }
        }

        if (tracker.Finish() is { } last)
        {
            events.Add(new ScoredEvent(last.StartSeconds, last.LastMotionSeconds));
        }

        return new MotionRun(events, times, faults);
    }
}
