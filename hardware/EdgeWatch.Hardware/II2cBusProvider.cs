using System.Device.I2c;

namespace EdgeWatch.Hardware;

/// <summary>Hands out I2C buses by number. Whoever creates the provider owns the buses.</summary>
public interface II2cBusProvider
{
    I2cBus GetBus(int busId);
}

/// <summary>The kernel's /dev/i2c-N buses.</summary>
public sealed class KernelI2cBusProvider : II2cBusProvider, IDisposable
{
    private readonly Dictionary<int, I2cBus> _buses = [];

    public I2cBus GetBus(int busId)
    {
        lock (_buses)
        {
            if (!_buses.TryGetValue(busId, out var bus))
            {
                bus = I2cBus.Create(busId);
                _buses[busId] = bus;
            }

            return bus;
        }
    }

    public void Dispose()
    {
        foreach (var bus in _buses.Values)
        {
            bus.Dispose();
        }
    }
}
