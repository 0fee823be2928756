using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Ds18b20;
using EdgeWatch.Hardware.Profiles;

namespace EdgeWatch.Hardware.Simulation;

/// <summary>A DS18B20 in memory: a set temperature, an optional ramp in °C per minute on the injected clock, and faults.</summary>
public sealed class SimulatedTemperatureProbe(ChannelSpec spec, TimeProvider time) : ITemperatureProbe
{
    private readonly Lock _gate = new();
    private double _base = 21.0;
    private double _ratePerMinute;
    private DateTimeOffset _rampStart;
    private bool _lost;
    private double? _glitchOnce;

    public ChannelSpec Spec { get; } = spec;

    public int Reads { get; private set; }

    public double Current
    {
        get
        {
            lock (_gate)
            {
                return _base + (_ratePerMinute == 0 ? 0 : _ratePerMinute * (time.GetUtcNow() - _rampStart).TotalMinutes);
            }
        }
    }

    public void Set(double celsius)
    {
        lock (_gate)
        {
            _base = celsius;
            _ratePerMinute = 0;
        }
    }

    /// <summary>From now on the temperature changes by <paramref name="celsiusPerMinute"/>, starting from its current value.</summary>
    public void Ramp(double celsiusPerMinute)
    {
        var now = Current;
        lock (_gate)
        {
            _base = now;
            _ratePerMinute = celsiusPerMinute;
            _rampStart = time.GetUtcNow();
        }
    }

    /// <summary>The probe stops answering (cable cut, probe dead) until <see cref="Reconnect"/>.</summary>
    public void Lose()
    {
        lock (_gate)
        {
            _lost = true;
        }
    }

    public void Reconnect()
    {
        lock (_gate)
        {
            _lost = false;
        }
    }

    /// <summary>The next read returns this raw value once (for example 85 °C, the power-on reset value).</summary>
    public void GlitchOnce(double raw)
    {
        lock (_gate)
        {
            _glitchOnce = raw;
        }
    }

    public TemperatureReading Read()
    {
        double? glitch;
        bool lost;
        lock (_gate)
        {
            Reads++;
            lost = _lost;
            glitch = _glitchOnce;
            _glitchOnce = null;
        }

        if (lost)
        {
            return TemperatureReading.Failure($"1-Wire device {((OneWireSource)Spec.Source).DeviceId} not found");
        }

        return ProbeSanity.Check(glitch ?? Math.Round(Current * 16) / 16); // DS18B20 12-bit resolution is 1/16 °C
    }
}
