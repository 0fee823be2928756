using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.FireSafety;

/// <summary>Fire-safety settings (configuration section <c>FireSafety</c>).</summary>
public sealed class FireSafetyOptions
{
    public const string Section = "FireSafety";

    /// <summary>A contact must hold its new state this long before it counts.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Fixed heat threshold, °C. EN 54-5 class A1 static response is 54–65 °C.</summary>
    public double HeatThresholdCelsius { get; set; } = 58.0;

    /// <summary>Consecutive readings at or above the threshold needed to alarm (rejects a one-sample glitch).</summary>
    public int HeatConfirmSamples { get; set; } = 2;

    /// <summary>Rate-of-rise alarm, °C per minute.</summary>
    public double RateOfRiseCelsiusPerMinute { get; set; } = 8.0;

    /// <summary>The rate of rise must be sustained over this window.</summary>
    public TimeSpan RateOfRiseWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often heat probes are read.</summary>
    public TimeSpan HeatSampleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Consecutive failed probe reads before the probe is reported lost (trouble).</summary>
    public int ProbeLostAfterFailures { get; set; } = 3;

    /// <summary>How often supervised loops and expanders are scanned (expanders also interrupt on change).</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a silence lasts before the sirens sound again.</summary>
    public TimeSpan SilenceDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A siren with a feedback input must confirm within this time of being driven.</summary>
    public TimeSpan SirenConfirmTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Default length of a siren test.</summary>
    public TimeSpan SirenTestDuration { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class FireSafetyOptionsValidator : IValidateOptions<FireSafetyOptions>
{
    public ValidateOptionsResult Validate(string? name, FireSafetyOptions o)
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string what)
        {
            if (!ok)
            {
                errors.Add($"{FireSafetyOptions.Section}:{key} {what}");
            }
        }

        Check(o.Debounce >= TimeSpan.FromMilliseconds(10) && o.Debounce <= TimeSpan.FromSeconds(5), nameof(o.Debounce), $"must be between 00:00:00.010 and 00:00:05 (was {o.Debounce})");
        Check(o.HeatThresholdCelsius is >= 54 and <= 65, nameof(o.HeatThresholdCelsius), $"must be within the EN 54-5 class A1 static response range 54–65 °C (was {o.HeatThresholdCelsius})");
        Check(o.HeatConfirmSamples is >= 1 and <= 10, nameof(o.HeatConfirmSamples), $"must be 1–10 (was {o.HeatConfirmSamples})");
        Check(o.RateOfRiseCelsiusPerMinute is > 0 and <= 30, nameof(o.RateOfRiseCelsiusPerMinute), $"must be above 0 and at most 30 °C/min (was {o.RateOfRiseCelsiusPerMinute})");
        Check(o.RateOfRiseWindow >= TimeSpan.FromSeconds(5) && o.RateOfRiseWindow <= TimeSpan.FromMinutes(5), nameof(o.RateOfRiseWindow), $"must be 5 s to 5 min (was {o.RateOfRiseWindow})");
        Check(o.HeatSampleInterval >= TimeSpan.FromMilliseconds(100) && o.HeatSampleInterval * 3 <= o.RateOfRiseWindow, nameof(o.HeatSampleInterval), $"must be at least 100 ms and fit three times into RateOfRiseWindow (was {o.HeatSampleInterval})");
        Check(o.ProbeLostAfterFailures is >= 1 and <= 60, nameof(o.ProbeLostAfterFailures), $"must be 1–60 (was {o.ProbeLostAfterFailures})");
        Check(o.ScanInterval >= TimeSpan.FromMilliseconds(5) && o.ScanInterval <= TimeSpan.FromSeconds(2), nameof(o.ScanInterval), $"must be 5 ms to 2 s (was {o.ScanInterval})");
        Check(o.SilenceDuration >= TimeSpan.FromSeconds(10) && o.SilenceDuration <= TimeSpan.FromHours(1), nameof(o.SilenceDuration), $"must be 10 s to 1 h (was {o.SilenceDuration})");
        Check(o.SirenConfirmTimeout >= TimeSpan.FromMilliseconds(50) && o.SirenConfirmTimeout <= TimeSpan.FromSeconds(5), nameof(o.SirenConfirmTimeout), $"must be 50 ms to 5 s (was {o.SirenConfirmTimeout})");
        Check(o.SirenTestDuration >= TimeSpan.FromSeconds(1) && o.SirenTestDuration <= TimeSpan.FromMinutes(10), nameof(o.SirenTestDuration), $"must be 1 s to 10 min (was {o.SirenTestDuration})");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
