using System.Device.Gpio;
using System.Device.I2c;
using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Gpio;
using EdgeWatch.Hardware.Profiles;
using Iot.Device.Mcp23xxx;

namespace EdgeWatch.Hardware.Mcp23017;

/// <summary>
/// One MCP23017 expander: inputs are reported through its mirrored INTA line on a Pi pin (interrupt on change),
/// with <see cref="Scan"/> as a safety net and as the only path when no interrupt pin is wired.
/// Owns the binding and its GpioController wrapper; does not own the host controller or the I2C bus.
/// </summary>
internal sealed class Mcp23017Expander : IDisposable
{
    private const byte IoconMirror = 0x40;

    private readonly Iot.Device.Mcp23xxx.Mcp23017 _chip;
    private readonly GpioController _pins;
    private readonly GpioController _host;
    private readonly int? _interruptPin;
    private readonly Lock _gate = new();
    private readonly List<ExpanderInput> _inputs = [];
    private ushort _levels;

    public Mcp23017Expander(ExpanderSpec spec, I2cDevice device, GpioController host)
    {
        Spec = spec;
        _host = host;
        _interruptPin = spec.InterruptPin;
        _chip = new Iot.Device.Mcp23xxx.Mcp23017(device, shouldDispose: true);
        _pins = new GpioController(_chip);
    }

    public ExpanderSpec Spec { get; }

    /// <summary>Controller over the expander's 16 pins, for batched output writes.</summary>
    internal GpioController Pins => _pins;

    public IDigitalInput AddInput(ChannelSpec channel, int pin)
    {
        _pins.OpenPin(pin, channel.ActiveLow ? PinMode.InputPullUp : PinMode.Input);
        var input = new ExpanderInput(channel, this, pin);
        _inputs.Add(input);
        return input;
    }

    public ControllerOutput AddOutput(ChannelSpec channel, int pin) => new(channel, _pins, pin);

    /// <summary>Arms interrupt-on-change for every input and takes the first reading.</summary>
    public void Start()
    {
        ushort mask = 0;
        foreach (var i in _inputs)
        {
            mask |= (ushort)(1 << i.Pin);
        }

        if (_interruptPin is { } intPin)
        {
            _chip.WriteByte(Register.IOCON, IoconMirror, Port.PortA);
            _chip.WriteUInt16(Register.INTCON, 0);     // compare against the previous value
            _chip.WriteUInt16(Register.GPINTEN, mask);
            _host.OpenPin(intPin, PinMode.InputPullUp); // INTA is active-low, open-drain style
            _host.RegisterCallbackForPinValueChangedEvent(intPin, PinEventTypes.Falling, OnInterrupt);
        }

        lock (_gate)
        {
            _levels = _chip.ReadUInt16(Register.GPIO);
        }
    }

    private void OnInterrupt(object sender, PinValueChangedEventArgs e)
    {
        try
        {
            Scan();
        }
        catch (IOException)
        {
            // Never out of the GPIO event thread: the periodic scan reads again and reports the failing chip.
        }
    }

    /// <summary>Reads both ports (which also clears a pending interrupt) and reports changed inputs.</summary>
    public void Scan()
    {
        ushort previous, now;
        lock (_gate)
        {
            now = _chip.ReadUInt16(Register.GPIO);
            previous = _levels;
            _levels = now;
        }

        var changed = (ushort)(previous ^ now);
        if (changed == 0)
        {
            return;
        }

        foreach (var input in _inputs)
        {
            if ((changed & (1 << input.Pin)) != 0)
            {
                input.Raise(((now >> input.Pin) & 1) == 1);
            }
        }
    }

    internal bool Level(int pin)
    {
        lock (_gate)
        {
            return ((_levels >> pin) & 1) == 1;
        }
    }

    public void Dispose()
    {
        if (_interruptPin is { } intPin && _host.IsPinOpen(intPin))
        {
            _host.UnregisterCallbackForPinValueChangedEvent(intPin, OnInterrupt);
            _host.ClosePin(intPin);
        }

        _pins.Dispose(); // disposes the binding, which disposes its I2cDevice
    }

    private sealed class ExpanderInput(ChannelSpec spec, Mcp23017Expander owner, int pin) : IDigitalInput
    {
        public ChannelSpec Spec { get; } = spec;
        public int Pin { get; } = pin;
        public bool IsActive => owner.Level(Pin) ^ Spec.ActiveLow;
        public event Action<IDigitalInput, bool>? Changed;
        public void Raise(bool high) => Changed?.Invoke(this, high ^ Spec.ActiveLow);
    }
}
