namespace EdgeWatch.Gateway.FireSafety;

/// <summary>What a new probe reading changed.</summary>
public enum HeatChange
{
    None,
    AlarmFixed,
    AlarmRateOfRise,
    Restored,
    ProbeLost,
    ProbeRecovered,
}

/// <summary>
/// One heat probe's logic, free of timers and I/O: a fixed threshold confirmed over consecutive samples, a rate of
/// rise that must be sustained over a whole window (Theil–Sen slope, so one wild sample cannot fake or hide a rise),
/// and loss of the probe after consecutive failed reads.
/// </summary>
public sealed class HeatDetector(FireSafetyOptions options)
{
    public FireSafetyOptions Options { get; set; } = options;

    private readonly List<(double Seconds, double Celsius)> _window = [];
    private int _aboveThreshold;
    private int _failures;

    public bool InAlarm { get; private set; }
    public bool Lost { get; private set; }
    public double? LastCelsius { get; private set; }
    public double? LastRatePerMinute { get; private set; }

    /// <summary>Feeds one reading taken at <paramref name="atSeconds"/> on a monotonic clock.</summary>
    public HeatChange Update(double atSeconds, bool ok, double celsius)
    {
        if (!ok)
        {
            _failures++;
            _aboveThreshold = 0;
            if (!Lost && _failures >= Options.ProbeLostAfterFailures)
            {
                Lost = true;
                _window.Clear();
                return HeatChange.ProbeLost;
            }

            return HeatChange.None;
        }

        _failures = 0;
        LastCelsius = celsius;
        var recovered = Lost;
        Lost = false;

        var windowSeconds = Options.RateOfRiseWindow.TotalSeconds;
        _window.Add((atSeconds, celsius));
        // Keep samples covering just over one window.
        while (_window.Count > 2 && atSeconds - _window[1].Seconds >= windowSeconds)
        {
            _window.RemoveAt(0);
        }

        _aboveThreshold = celsius >= Options.HeatThresholdCelsius ? _aboveThreshold + 1 : 0;
        var fixedAlarm = _aboveThreshold >= Options.HeatConfirmSamples;

        var sustained = _window.Count >= 3 && atSeconds - _window[0].Seconds >= windowSeconds - 1e-9;
        LastRatePerMinute = _window.Count >= 2 ? TheilSenSlope(_window) * 60.0 : null;
        var rorAlarm = sustained && LastRatePerMinute >= Options.RateOfRiseCelsiusPerMinute;

        if (!InAlarm && (fixedAlarm || rorAlarm))
        {
            InAlarm = true;
            return fixedAlarm ? HeatChange.AlarmFixed : HeatChange.AlarmRateOfRise;
        }

        // Restore once below threshold with a margin and no longer rising fast.
        if (InAlarm && celsius < Options.HeatThresholdCelsius - 2.0 && !(LastRatePerMinute >= Options.RateOfRiseCelsiusPerMinute / 2))
        {
            InAlarm = false;
            return HeatChange.Restored;
        }

        return recovered ? HeatChange.ProbeRecovered : HeatChange.None;
    }

    /// <summary>Median of all pairwise slopes, °C per second.</summary>
    private static double TheilSenSlope(List<(double Seconds, double Celsius)> samples)
    {
        var slopes = new List<double>(samples.Count * (samples.Count - 1) / 2);
        for (var i = 0; i < samples.Count; i++)
        {
            for (var j = i + 1; j < samples.Count; j++)
            {
                var dt = samples[j].Seconds - samples[i].Seconds;
                if (dt > 0)
                {
                    slopes.Add((samples[j].Celsius - samples[i].Celsius) / dt);
                }
            }
        }

        if (slopes.Count == 0)
        {
            return 0;
        }

        slopes.Sort();
        var mid = slopes.Count / 2;
        return slopes.Count % 2 == 1 ? slopes[mid] : (slopes[mid - 1] + slopes[mid]) / 2;
    }
}
