namespace EdgeWatch.Hardware.Profiles;

/// <summary>
/// Voltage bands of an end-of-line supervised loop, measured at the ADS1115 input.
/// Below <see cref="ShortBelowVolts"/>: short circuit (trouble). Up to <see cref="AlarmBelowVolts"/>: alarm.
/// Up to <see cref="NormalUpToVolts"/>: normal. Above: open circuit (trouble).
/// Defaults fit a 3.3 V loop with 4.7 kΩ series, 4.7 kΩ end-of-line and 680 Ω alarm resistors
/// (normal 1.65 V, alarm 0.37 V); see hardware/README.md.
/// </summary>
public sealed record LoopBands
{
    public double ShortBelowVolts { get; init; } = 0.20;
    public double AlarmBelowVolts { get; init; } = 1.00;
    public double NormalUpToVolts { get; init; } = 2.60;

    public static LoopBands Default { get; } = new();

    public LoopState Classify(double volts)
    {
        if (double.IsNaN(volts))
        {
            return LoopState.OpenCircuit;
        }

        if (volts < ShortBelowVolts)
        {
            return LoopState.ShortCircuit;
        }

        if (volts < AlarmBelowVolts)
        {
            return LoopState.Alarm;
        }

        return volts <= NormalUpToVolts ? LoopState.Normal : LoopState.OpenCircuit;
    }
}

public enum LoopState
{
    Normal,
    Alarm,
    OpenCircuit,
    ShortCircuit,
}
