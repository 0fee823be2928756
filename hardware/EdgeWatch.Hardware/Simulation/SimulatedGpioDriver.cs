using System.Device.Gpio;

namespace EdgeWatch.Hardware.Simulation;

/// <summary>
/// A Raspberry Pi GPIO header in memory (BCM 0–27). Inputs are driven from outside with <see cref="SetInputLevel"/>;
/// edge callbacks run synchronously on the caller's thread, so tests stay deterministic. Never touches /dev/gpiochip*.
/// </summary>
public sealed class SimulatedGpioDriver : GpioDriver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, PinState> _pins = [];

    /// <summary>Raised after an output pin's level changes: (pin, level, Stopwatch timestamp).</summary>
    public event Action<int, PinValue, long>? OutputWritten;

    protected override int PinCount => 28;

    /// <summary>Sets the level that outside wiring puts on a pin, as a contact or a chip's INT line would.</summary>
    public void SetInputLevel(int pin, PinValue level)
    {
        PinChangeEventHandler[] handlers;
        PinEventTypes edge;
        lock (_gate)
        {
            var state = State(pin);
            if (state.External == level)
            {
                return;
            }

            state.External = level;
            edge = level == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
            if (!state.Open || state.Mode == PinMode.Output)
            {
                return;
            }

            handlers = [.. state.Callbacks.Where(c => (c.Events & edge) != 0).Select(c => c.Handler)];
        }

        foreach (var h in handlers)
        {
            h(this, new PinValueChangedEventArgs(edge, pin));
        }
    }

    /// <summary>Current level of a pin as the outside world sees it (output level for outputs).</summary>
    public PinValue GetLevel(int pin)
    {
        lock (_gate)
        {
            var s = State(pin);
            return s.Mode == PinMode.Output ? s.Output : s.External;
        }
    }

    public bool IsOutput(int pin)
    {
        lock (_gate)
        {
            return _pins.TryGetValue(pin, out var s) && s.Open && s.Mode == PinMode.Output;
        }
    }

    private PinState State(int pin)
    {
        if (pin < 0 || pin >= PinCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pin), $"GPIO{pin} does not exist on this header (0–{PinCount - 1})");
        }

        if (!_pins.TryGetValue(pin, out var s))
        {
            s = new PinState();
            _pins[pin] = s;
        }

        return s;
    }

    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            State(pinNumber).Open = true;
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            var s = State(pinNumber);
            s.Open = false;
            s.Callbacks.Clear();
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            var s = State(pinNumber);
            s.Mode = mode;
            if (mode == PinMode.InputPullUp && !s.Driven)
            {
                s.External = PinValue.High;
            }
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return State(pinNumber).Mode;
        }
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => GetLevel(pinNumber);

    protected override void Write(int pinNumber, PinValue value)
    {
        bool changed;
        lock (_gate)
        {
            var s = State(pinNumber);
            if (!s.Open || s.Mode != PinMode.Output)
            {
                throw new InvalidOperationException($"GPIO{pinNumber} is not open as an output");
            }

            changed = s.Output != value;
            s.Output = value;
        }

        if (changed)
        {
            OutputWritten?.Invoke(pinNumber, value, System.Diagnostics.Stopwatch.GetTimestamp());
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the simulated driver is callback-only; use RegisterCallbackForPinValueChangedEvent");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            State(pinNumber).Callbacks.Add((eventTypes, callback));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            State(pinNumber).Callbacks.RemoveAll(c => c.Handler == callback);
        }
    }

    /// <summary>Marks a pin as driven by outside wiring, so a pull-up no longer sets its level.</summary>
    internal void MarkDriven(int pin)
    {
        lock (_gate)
        {
            State(pin).Driven = true;
        }
    }

    private sealed class PinState
    {
        public bool Open;
        public bool Driven;
        public PinMode Mode = PinMode.Input;
        public PinValue External = PinValue.Low;
        public PinValue Output = PinValue.Low;
        public List<(PinEventTypes Events, PinChangeEventHandler Handler)> Callbacks { get; } = [];
    }
}
