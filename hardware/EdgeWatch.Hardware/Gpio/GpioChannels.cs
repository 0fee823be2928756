using System.Device.Gpio;
using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Profiles;

namespace EdgeWatch.Hardware.Gpio;

/// <summary>A contact on a Pi GPIO pin, edge-driven through the injected controller's callbacks.</summary>
internal sealed class GpioDigitalInput : IDigitalInput, IDisposable
{
    private readonly GpioController _controller;
    private readonly int _pin;

    public GpioDigitalInput(ChannelSpec spec, GpioController controller, int pin)
    {
        Spec = spec;
        _controller = controller;
        _pin = pin;
        // Contacts to ground read through the pull-up; active-high inputs (tamper loops) use an external pull-down.
        controller.OpenPin(pin, spec.ActiveLow ? PinMode.InputPullUp : PinMode.InputPullDown);
        controller.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Rising | PinEventTypes.Falling, OnEdge);
    }

    public ChannelSpec Spec { get; }

    public bool IsActive => (_controller.Read(_pin) == PinValue.High) ^ Spec.ActiveLow;

    public event Action<IDigitalInput, bool>? Changed;

    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        var high = e.ChangeType == PinEventTypes.Rising;
        Changed?.Invoke(this, high ^ Spec.ActiveLow);
    }

    public void Dispose()
    {
        _controller.UnregisterCallbackForPinValueChangedEvent(_pin, OnEdge);
        _controller.ClosePin(_pin);
    }
}

/// <summary>A relay driven from a pin of a controller (the Pi's, or an expander's).</summary>
internal sealed class ControllerOutput : IDigitalOutput, IDisposable
{
    private readonly bool _ownsPin;

    public ControllerOutput(ChannelSpec spec, GpioController controller, int pin, bool ownsPin = true)
    {
        Spec = spec;
        Controller = controller;
        Pin = pin;
        _ownsPin = ownsPin;
        controller.OpenPin(pin, PinMode.Output, spec.ActiveLow ? PinValue.High : PinValue.Low);
    }

    public ChannelSpec Spec { get; }
    internal GpioController Controller { get; }
    internal int Pin { get; }
    public bool IsOn { get; private set; }

    internal PinValue LevelFor(bool on) => on ^ Spec.ActiveLow ? PinValue.High : PinValue.Low;

    public void Drive(bool on)
    {
        Controller.Write(Pin, LevelFor(on));
        IsOn = on;
    }

    internal void MarkWritten(bool on) => IsOn = on;

    public void Dispose()
    {
        if (_ownsPin && Controller.IsPinOpen(Pin))
        {
            Controller.Write(Pin, LevelFor(false));
            Controller.ClosePin(Pin);
        }
    }
}
