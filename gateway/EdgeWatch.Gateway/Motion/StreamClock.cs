namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// One camera's stream time across reconnects. ffmpeg counts a connection's frames from zero, so each reconnect (a
/// broken stream, a stall, a looped recording) would turn the clock back, and everything timed by it (open events,
/// tracks, signal faults) would wait for the new clock to pass the old one. Each connection's times are put after
/// the last frame of the one before, by the wall time in between (at least one frame).
/// </summary>
public sealed class StreamClock(TimeProvider time)
{
    private double _offset;
    private double _last = -1;
    private long _lastTicks;

    /// <summary>A new connection starts (call before its first frame).</summary>
    public void Reconnected(double fps)
    {
        if (_last >= 0)
        {
            _offset = _last + Math.Max(time.GetElapsedTime(_lastTicks).TotalSeconds, 1 / Math.Max(fps, 1));
        }
    }

    /// <summary>The stream time of a frame at <paramref name="seconds"/> into the current connection.</summary>
    public double At(double seconds)
    {
        _last = _offset + seconds;
        _lastTicks = time.GetTimestamp();
        return _last;
    }
}
