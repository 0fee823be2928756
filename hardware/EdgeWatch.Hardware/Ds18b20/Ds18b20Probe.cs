using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Profiles;
using Iot.Device.OneWire;

namespace EdgeWatch.Hardware.Ds18b20;

/// <summary>Opens 1-Wire temperature probes. The Linux kernel's w1 driver owns the bus; see Ds18b20/README.md.</summary>
public interface IOneWireProbeFactory
{
    ITemperatureProbe Open(ChannelSpec channel, OneWireSource source);
}

/// <summary>Real DS18B20 probes through the kernel's w1-therm driver (dotnet/iot OneWireThermometerDevice).</summary>
public sealed class KernelOneWireProbeFactory : IOneWireProbeFactory
{
    public ITemperatureProbe Open(ChannelSpec channel, OneWireSource source) => new Ds18b20Probe(channel, new OneWireThermometerDevice(source.Bus, source.DeviceId));
}

internal sealed class Ds18b20Probe(ChannelSpec spec, OneWireThermometerDevice device) : ITemperatureProbe
{
    public ChannelSpec Spec { get; } = spec;

    public TemperatureReading Read()
    {
        try
        {
            return ProbeSanity.Check(device.ReadTemperature().DegreesCelsius);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or FormatException)
        {
            return TemperatureReading.Failure($"1-Wire {device.BusId}/{device.DeviceId}: {ex.Message}");
        }
    }
}

/// <summary>Rejects values a DS18B20 reports when it is not really measuring.</summary>
public static class ProbeSanity
{
    public static TemperatureReading Check(double celsius)
    {
        // 85.0 °C is the power-on reset value (a conversion that never ran); -127 is the w1 driver's "no device".
        if (double.IsNaN(celsius) || celsius < -55 || celsius > 125)
        {
            return TemperatureReading.Failure($"out of the DS18B20 range: {celsius} °C");
        }

        return celsius == 85.0 ? TemperatureReading.Failure("85 °C power-on reset value (conversion did not run)") : TemperatureReading.Success(celsius);
    }
}
