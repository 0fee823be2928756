namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// Per-frame times, in 10 µs steps up to 100 ms (longer ones counted in the last step): the mean and percentiles of
/// every frame a camera analysed, without keeping each one. Safe to read while the analysis thread adds.
/// </summary>
public sealed class FrameTimes
{
    private const double StepMs = 0.01;
    private readonly long[] _counts = new long[10_000];
    private readonly Lock _gate = new();
    private long _frames;
    private double _totalMs;

    public void Add(double ms)
    {
        lock (_gate)
        {
            _counts[Math.Clamp((int)(ms / StepMs), 0, _counts.Length - 1)]++;
            _frames++;
            _totalMs += ms;
        }
    }

    public double MeanMs
    {
        get
        {
            lock (_gate)
            {
                return _frames == 0 ? 0 : _totalMs / _frames;
            }
        }
    }

    /// <summary>The time under which <paramref name="share"/> of the frames took (the upper edge of its 10 µs step).</summary>
    public double PercentileMs(double share)
    {
        lock (_gate)
        {
            if (_frames == 0)
            {
                return 0;
            }

            var rank = (long)Math.Ceiling(share * _frames);
            long seen = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                seen += _counts[i];
                if (seen >= rank)
                {
                    return (i + 1) * StepMs;
                }
            }

            return _counts.Length * StepMs;
        }
    }
}
