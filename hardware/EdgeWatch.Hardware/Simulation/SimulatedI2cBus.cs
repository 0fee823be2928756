using System.Device.I2c;

namespace EdgeWatch.Hardware.Simulation;

/// <summary>An I2C bus with simulated chips at fixed addresses. Asking for an empty address fails like a real bus (no ACK).</summary>
public sealed class SimulatedI2cBus(int busId) : I2cBus
{
    private readonly Dictionary<int, I2cDevice> _chips = [];

    public int BusId { get; } = busId;

    public void Attach(int address, I2cDevice chip) => _chips[address] = chip;

    public override I2cDevice CreateDevice(int deviceAddress) =>
        _chips.TryGetValue(deviceAddress, out var chip)
            ? chip
            : throw new IOException($"no device answers at address 0x{deviceAddress:x2} on simulated I2C bus {BusId}");

    public override void RemoveDevice(int deviceAddress)
    {
    }
}

/// <summary>Buses of a simulated board by number.</summary>
public sealed class SimulatedI2cBusProvider : II2cBusProvider
{
    private readonly Dictionary<int, SimulatedI2cBus> _buses = [];

    public SimulatedI2cBus Add(int busId)
    {
        if (!_buses.TryGetValue(busId, out var bus))
        {
            bus = new SimulatedI2cBus(busId);
            _buses[busId] = bus;
        }

        return bus;
    }

    public I2cBus GetBus(int busId) =>
        _buses.TryGetValue(busId, out var bus) ? bus : throw new IOException($"simulated board has no I2C bus {busId}");
}
