using System.Buffers.Binary;
using System.Device.I2c;

namespace EdgeWatch.Hardware.Simulation;

/// <summary>
/// An ADS1115 behind an <see cref="I2cDevice"/>: pointer, config and conversion registers. A config write with OS set
/// converts at once from the voltage on the selected single-ended input and the programmed full-scale range.
/// </summary>
public sealed class SimulatedAds1115Chip : I2cDevice
{
    private static readonly double[] FullScale = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256];
    private readonly Lock _gate = new();
    private readonly double[] _volts = new double[4];
    private ushort _config = 0x8583;
    private short _conversion;
    private ushort _lo = 0x8000, _hi = 0x7FFF;
    private int _pointer;

    public SimulatedAds1115Chip(int busId, int address) => ConnectionSettings = new I2cConnectionSettings(busId, address);

    public override I2cConnectionSettings ConnectionSettings { get; }

    /// <summary>When set, every transfer fails as a chip that stopped answering would.</summary>
    public bool Unresponsive { get; set; }

    public void SetVolts(int channel, double volts)
    {
        lock (_gate)
        {
            _volts[channel] = volts;
        }
    }

    public double GetVolts(int channel)
    {
        lock (_gate)
        {
            return _volts[channel];
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Unresponsive)
        {
            throw new IOException($"simulated ADS1115 at 0x{ConnectionSettings.DeviceAddress:x2} does not acknowledge");
        }

        if (buffer.IsEmpty)
        {
            return;
        }

        lock (_gate)
        {
            _pointer = buffer[0] & 0x03;
            if (buffer.Length < 3)
            {
                return;
            }

            var value = BinaryPrimitives.ReadUInt16BigEndian(buffer[1..3]);
            switch (_pointer)
            {
                case 1:
                    _config = value;
                    if ((value & 0x8000) != 0)
                    {
                        Convert();
                    }

                    break;
                case 2: _lo = value; break;
                case 3: _hi = value; break;
                default: break;
            }
        }
    }

    private void Convert()
    {
        var mux = (_config >> 12) & 0x7;
        var pga = (_config >> 9) & 0x7;
        // MUX 100–111 are AIN0–AIN3 against GND; differential modes are not used by EdgeWatch and read as 0 V.
        var volts = mux >= 4 ? _volts[mux - 4] : 0.0;
        var raw = volts / FullScale[pga] * 32768.0;
        _conversion = (short)Math.Clamp(Math.Round(raw), short.MinValue, short.MaxValue);
    }

    public override void Read(Span<byte> buffer)
    {
        if (Unresponsive)
        {
            throw new IOException($"simulated ADS1115 at 0x{ConnectionSettings.DeviceAddress:x2} does not acknowledge");
        }

        lock (_gate)
        {
            ushort value = _pointer switch
            {
                0 => (ushort)_conversion,
                1 => (ushort)(_config | 0x8000), // conversion complete
                2 => _lo,
                _ => _hi,
            };
            Span<byte> two = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(two, value);
            for (var i = 0; i < buffer.Length; i++)
            {
                buffer[i] = two[i % 2];
            }
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    public override void WriteByte(byte value) => Write([value]);

    public override byte ReadByte()
    {
        Span<byte> b = stackalloc byte[1];
        Read(b);
        return b[0];
    }

    protected override void Dispose(bool disposing) => base.Dispose(disposing); // the chip stays on the bus
}
