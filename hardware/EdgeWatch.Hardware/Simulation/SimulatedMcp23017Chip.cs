using System.Device.I2c;

namespace EdgeWatch.Hardware.Simulation;

/// <summary>
/// An MCP23017 register file (IOCON.BANK = 0, sequential addressing) behind an <see cref="I2cDevice"/>, so the real
/// dotnet/iot Mcp23017 binding drives it. Emulates direction, polarity, pull-ups, output latches, interrupt-on-change
/// with INTF/INTCAP, and the INTA/INTB lines (mirrored when IOCON.MIRROR is set).
/// </summary>
public sealed class SimulatedMcp23017Chip : I2cDevice
{
    private const int IODIR = 0x00, IPOL = 0x02, GPINTEN = 0x04, DEFVAL = 0x06, INTCON = 0x08, IOCON = 0x0A,
        GPPU = 0x0C, INTF = 0x0E, INTCAP = 0x10, GPIO = 0x12, OLAT = 0x14;

    private readonly Lock _gate = new();
    private readonly byte[] _reg = new byte[0x16];
    private ushort _external = 0xFFFF; // what the wiring puts on each pin (contacts open, pulled up)
    private ushort _driven;            // pins whose external level is set by wiring rather than the pull-up
    private ushort _lastCompare;
    private int _pointer;
    private bool _intAsserted;

    public SimulatedMcp23017Chip(int busId, int address)
    {
        ConnectionSettings = new I2cConnectionSettings(busId, address);
        _reg[IODIR] = 0xFF;
        _reg[IODIR + 1] = 0xFF;
    }

    public override I2cConnectionSettings ConnectionSettings { get; }

    /// <summary>Raised when the interrupt line changes: true = asserted. The owner maps it to a host pin level.</summary>
    public event Action<bool>? InterruptChanged;

    /// <summary>Raised when an output pin's level changes: (pin 0–15, high).</summary>
    public event Action<int, bool>? OutputChanged;

    public bool IsOutput(int pin)
    {
        lock (_gate)
        {
            return (Dir() & (1 << pin)) == 0;
        }
    }

    public bool OutputLevel(int pin)
    {
        lock (_gate)
        {
            return ((Word(OLAT) >> pin) & 1) == 1;
        }
    }

    /// <summary>Sets what the wiring puts on an input pin.</summary>
    public void SetInput(int pin, bool high)
    {
        bool? intChange;
        lock (_gate)
        {
            _driven |= (ushort)(1 << pin);
            var bit = (ushort)(1 << pin);
            var before = _external;
            _external = high ? (ushort)(_external | bit) : (ushort)(_external & ~bit);
            if (before == _external)
            {
                return;
            }

            intChange = EvaluateInterrupts();
        }

        if (intChange is { } asserted)
        {
            InterruptChanged?.Invoke(asserted);
        }
    }

    private ushort Word(int reg) => (ushort)(_reg[reg] | (_reg[reg + 1] << 8));

    private void SetWord(int reg, ushort value)
    {
        _reg[reg] = (byte)value;
        _reg[reg + 1] = (byte)(value >> 8);
    }

    private ushort Dir() => Word(IODIR);

    private ushort PinLevels()
    {
        var dir = Dir();
        var pulled = (ushort)(Word(GPPU) & ~_driven);
        var inputs = (ushort)((_external | pulled) ^ Word(IPOL));
        return (ushort)((inputs & dir) | (Word(OLAT) & ~dir));
    }

    /// <summary>Updates INTF/INTCAP for changed inputs; returns the new INT state if it changed.</summary>
    private bool? EvaluateInterrupts()
    {
        var levels = PinLevels();
        var enabled = (ushort)(Word(GPINTEN) & Dir());
        var reference = (ushort)((Word(DEFVAL) & Word(INTCON)) | (_lastCompare & ~Word(INTCON)));
        var fired = (ushort)((levels ^ reference) & enabled);
        _lastCompare = levels;
        if (fired != 0 && Word(INTF) == 0)
        {
            SetWord(INTCAP, levels);
        }

        SetWord(INTF, (ushort)(Word(INTF) | fired));
        return UpdateIntLine();
    }

    private bool? UpdateIntLine()
    {
        var asserted = Word(INTF) != 0;
        if (asserted == _intAsserted)
        {
            return null;
        }

        _intAsserted = asserted;
        return asserted;
    }

    /// <summary>Fault injection: the next <paramref name="count"/> writes are not acknowledged (a transient NAK).</summary>
    public void FailNextWrites(int count) => Interlocked.Exchange(ref _failNextWrites, count);

    /// <summary>Fault injection: every write fails until cleared (a chip that died or came loose).</summary>
    public bool FailAllWrites { get; set; }

    /// <summary>Fault injection: every read fails until cleared.</summary>
    public bool FailAllReads { get; set; }

    /// <summary>Writes refused by fault injection so far.</summary>
    public int FailedWrites => Volatile.Read(ref _failedWrites);

    private int _failNextWrites;
    private int _failedWrites;

    private void ThrowIfWriteFails()
    {
        var transient = Volatile.Read(ref _failNextWrites) > 0 && Interlocked.Decrement(ref _failNextWrites) >= 0;
        if (FailAllWrites || transient)
        {
            Interlocked.Increment(ref _failedWrites);
            throw new IOException($"simulated MCP23017 at 0x{ConnectionSettings.DeviceAddress:x2} on bus {ConnectionSettings.BusId} did not acknowledge the write");
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfWriteFails();
        if (buffer.IsEmpty)
        {
            return;
        }

        var outputsChanged = new List<(int Pin, bool High)>();
        bool? intChange = null;
        lock (_gate)
        {
            _pointer = buffer[0];
            var before = PinLevels();
            var beforeDir = Dir();
            for (var i = 1; i < buffer.Length; i++)
            {
                WriteRegister(_pointer, buffer[i]);
                _pointer = (_pointer + 1) % _reg.Length;
            }

            if (buffer.Length > 1)
            {
                var after = PinLevels();
                var outs = (ushort)(~Dir() & 0xFFFF);
                var diff = (ushort)((before ^ after) & outs | (beforeDir ^ Dir()) & outs);
                for (var pin = 0; pin < 16; pin++)
                {
                    if ((diff & (1 << pin)) != 0)
                    {
                        outputsChanged.Add((pin, ((after >> pin) & 1) == 1));
                    }
                }

                _lastCompare = PinLevels();
                intChange = UpdateIntLine();
            }
        }

        foreach (var (pin, high) in outputsChanged)
        {
            OutputChanged?.Invoke(pin, high);
        }

        if (intChange is { } asserted)
        {
            InterruptChanged?.Invoke(asserted);
        }
    }

    private void WriteRegister(int address, byte value)
    {
        switch (address)
        {
            case IOCON or IOCON + 1:
                if ((value & 0x80) != 0)
                {
                    throw new NotSupportedException("simulated MCP23017 supports IOCON.BANK = 0 only");
                }

                _reg[IOCON] = value;
                _reg[IOCON + 1] = value;
                break;
            case GPIO or GPIO + 1:
                _reg[OLAT + (address - GPIO)] = value; // writing GPIO writes the latch
                break;
            case INTF or INTF + 1 or INTCAP or INTCAP + 1:
                break; // read-only
            default:
                _reg[address] = value;
                break;
        }
    }

    public override void Read(Span<byte> buffer)
    {
        if (FailAllReads)
        {
            throw new IOException($"simulated MCP23017 at 0x{ConnectionSettings.DeviceAddress:x2} on bus {ConnectionSettings.BusId} did not answer the read");
        }

        bool? intChange;
        lock (_gate)
        {
            var levels = PinLevels();
            for (var i = 0; i < buffer.Length; i++)
            {
                var a = _pointer;
                buffer[i] = a switch
                {
                    GPIO => (byte)levels,
                    GPIO + 1 => (byte)(levels >> 8),
                    _ => _reg[a],
                };

                // Reading GPIO or INTCAP of a port clears that port's interrupt flags.
                if (a is GPIO or INTCAP)
                {
                    _reg[INTF] = 0;
                }
                else if (a is GPIO + 1 or INTCAP + 1)
                {
                    _reg[INTF + 1] = 0;
                }

                _pointer = (_pointer + 1) % _reg.Length;
            }

            intChange = UpdateIntLine();
        }

        if (intChange is { } asserted)
        {
            InterruptChanged?.Invoke(asserted);
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

    /// <summary>The binding disposes its device; a simulated chip stays on the bus.</summary>
    protected override void Dispose(bool disposing) => base.Dispose(disposing); // the chip stays on the bus
}
