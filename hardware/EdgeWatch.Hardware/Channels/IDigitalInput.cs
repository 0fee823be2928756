using EdgeWatch.Hardware.Profiles;

namespace EdgeWatch.Hardware.Channels;

/// <summary>A contact input (detector relay, call point, feedback, mains, tamper, panel key). Active already accounts for <c>activeLow</c>.</summary>
public interface IDigitalInput
{
    ChannelSpec Spec { get; }

    /// <summary>The latest known level: read now for Pi pins, the last interrupt or scan for expander pins.</summary>
    bool IsActive { get; }

    /// <summary>Raised on the thread that saw the edge (GPIO callback, expander interrupt or scan) with the new state.</summary>
    event Action<IDigitalInput, bool>? Changed;
}

/// <summary>A relay output: siren or strobe.</summary>
public interface IDigitalOutput
{
    ChannelSpec Spec { get; }
    bool IsOn { get; }
    void Drive(bool active);
}

/// <summary>A DS18B20 heat probe.</summary>
public interface ITemperatureProbe
{
    ChannelSpec Spec { get; }

    /// <summary>Reads the probe. Never throws for a bus or sensor fault: it returns a failed reading that says why.</summary>
    TemperatureReading Read();
}

public readonly record struct TemperatureReading(bool Ok, double Celsius, string? Error)
{
    public static TemperatureReading Success(double celsius) => new(true, celsius, null);
    public static TemperatureReading Failure(string error) => new(false, double.NaN, error);
}

/// <summary>An end-of-line supervised loop read through an ADC.</summary>
public interface ISupervisedLoop
{
    ChannelSpec Spec { get; }

    /// <summary>Reads and classifies the loop. An I/O failure reads as an open loop (trouble), never as normal.</summary>
    LoopReading Read();
}

public readonly record struct LoopReading(LoopState State, double Volts, string? Error);
