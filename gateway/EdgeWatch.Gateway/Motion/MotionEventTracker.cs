using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>A motion event as it unfolds.</summary>
public sealed record MotionEventUpdate(string Phase, double StartSeconds, double LastMotionSeconds, IReadOnlyList<Rect> Boxes, double PeakArea);

/// <summary>
/// Turns per-frame motion into events: an event starts after <see cref="MotionSettings.MinConsecutiveFrames"/> moving
/// frames in a row (its start is the first of them), and ends after <see cref="MotionSettings.QuietSeconds"/> without
/// motion (its end is the last moving frame).
/// </summary>
public sealed class MotionEventTracker(MotionSettings settings)
{
    private int _run;
    private double _runStart;
    private bool _active;
    private double _start;
    private double _lastMotion;
    private double _peak;
    private List<Rect> _boxes = [];

    public bool Active => _active;

    /// <summary>Feeds one frame's result; returns a start, update or end when one happens.</summary>
    public MotionEventUpdate? Add(FrameMotion motion, double seconds)
    {
        if (motion.Moving)
        {
            if (_run == 0)
            {
                _runStart = seconds;
            }

            _run++;
            if (_active)
            {
                _lastMotion = seconds;
                if (motion.Area >= _peak)
                {
                    _peak = motion.Area;
                    _boxes = [.. motion.Boxes]; // the boxes of the frame with the most motion
                }

                return new MotionEventUpdate("update", _start, _lastMotion, motion.Boxes, _peak);
            }

            if (_run >= settings.MinConsecutiveFrames)
            {
                _active = true;
                _start = motion.Onset is { } onset ? Math.Min(onset, _runStart) : _runStart;
                _lastMotion = seconds;
                _peak = motion.Area;
                _boxes = [.. motion.Boxes];
                return new MotionEventUpdate("start", _start, _lastMotion, _boxes, _peak);
            }

            return null;
        }

        _run = 0;
        if (_active && seconds - _lastMotion >= settings.QuietSeconds)
        {
            _active = false;
            return new MotionEventUpdate("end", _start, _lastMotion, _boxes, _peak);
        }

        return null;
    }

    /// <summary>The boxes of the event's busiest frame so far.</summary>
    public IReadOnlyList<Rect> PeakBoxes => _boxes;

    /// <summary>Ends an open event at the end of the stream.</summary>
    public MotionEventUpdate? Finish()
    {
        if (!_active)
        {
            return null;
        }

        _active = false;
        return new MotionEventUpdate("end", _start, _lastMotion, _boxes, _peak);
    }
}
