namespace EdgeWatch.Gateway.Motion;

/// <summary>A camera trouble from its picture: <see cref="Fault"/> came on (<see cref="On"/>) or cleared, at stream time <see cref="Seconds"/>.</summary>
public sealed record SignalChange(string Fault, bool On, double Seconds);

/// <summary>
/// Turns the detector's per-frame signal faults (<see cref="FrameMotion.Fault"/>: "frozen", "signal-loss", "torn") into a
/// camera trouble that holds. Such a frame is never analysed, so it never raises motion; a camera that keeps sending
/// them is a camera that can't see, and that is reported instead.
/// <list type="bullet">
/// <item>A fault run goes on while faulty frames keep coming (no more than <see cref="GapSeconds"/> apart: a torn
/// stream shows a good frame between torn ones). A freeze is broken by any new frame: an H.264 camera on a still
/// scene repeats its frame exactly (every block skipped) between key frames, and its key frames differ. Once a run
/// has lasted <see cref="MotionSettings.SignalFaultSeconds"/>, its commonest fault is reported.</item>
/// <item>The trouble clears after <see cref="ClearSeconds"/> without a faulty frame.</item>
/// </list>
/// All times are the stream's, so a recording and a live camera behave alike; a live stream's clock starts again at
/// each reconnect, and a run then goes on from the new clock's start.
/// </summary>
public sealed class SignalWatch(double holdSeconds)
{
    /// <summary>Faulty frames further apart than this are two runs.</summary>
    public const double GapSeconds = 1.0;

    /// <summary>Seconds of good frames that clear a reported fault.</summary>
    public const double ClearSeconds = 5.0;

    private readonly Dictionary<string, int> _counts = [];
    private double? _runStart;
    private double _lastFault = double.NegativeInfinity;
    private double _last = double.NegativeInfinity;

    /// <summary>The fault reported now, or null.</summary>
    public string? Reported { get; private set; }

    /// <summary>Feeds one analysed frame's fault (null for a good frame); returns what changed (the old fault's clearing first).</summary>
    public IReadOnlyList<SignalChange> Add(string? fault, double seconds)
    {
        if (seconds < _last)
        {
            // The stream's clock started again (a reconnect counts frames from zero): a run goes on from here, and a
            // reported fault needs its full quiet time from here to clear.
            _runStart = _runStart is null ? null : seconds;
            _lastFault = Reported is null && _runStart is null ? double.NegativeInfinity : seconds;
        }

        _last = seconds;
        if (fault is null)
        {
            // A lost or torn picture comes and goes; a frozen camera never sends a new frame, so one new frame (a
            // still scene's key frame between exact repeats) ends a freeze.
            var freeze = _counts.Count > 0 && _counts.MaxBy(c => c.Value).Key == "frozen";
            if (!freeze && seconds - _lastFault <= GapSeconds)
            {
                return [];
            }

            _runStart = null;
            _counts.Clear();
            return Reported is not null && seconds - _lastFault >= ClearSeconds ? Report(null, seconds) : [];
        }

        if (_runStart is null || seconds - _lastFault > GapSeconds)
        {
            _runStart = seconds;
            _counts.Clear();
        }

        _lastFault = seconds;
        _counts[fault] = _counts.GetValueOrDefault(fault) + 1;
        if (seconds - _runStart.Value < holdSeconds)
        {
            return [];
        }

        var commonest = _counts.MaxBy(c => c.Value).Key;
        return commonest == Reported ? [] : Report(commonest, seconds);
    }

    private List<SignalChange> Report(string? fault, double seconds)
    {
        var changes = new List<SignalChange>();
        if (Reported is { } old)
        {
            changes.Add(new SignalChange(old, false, seconds));
        }

        if (fault is not null)
        {
            changes.Add(new SignalChange(fault, true, seconds));
        }

        Reported = fault;
        return changes;
    }
}
