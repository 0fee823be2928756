using System.Device.Gpio;
using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Ds18b20;
using EdgeWatch.Hardware.Profiles;

namespace EdgeWatch.Hardware.Simulation;

/// <summary>
/// The whole wiring of a board profile in memory: a simulated Pi GPIO header, MCP23017 and ADS1115 chips on simulated
/// I2C buses, and DS18B20 probes. Real bindings drive it through <see cref="Driver"/>, <see cref="I2c"/> and
/// <see cref="OneWire"/>. It can be scripted: trip, restore, glitch, open or short a loop, set or ramp a temperature,
/// lose a probe, kill a siren. A siren's feedback contact follows the siren unless the siren is dead.
/// </summary>
public sealed class SimulatedBoard : IOneWireProbeFactory
{
    /// <summary>Loop voltages at the ADC for the default 3.3 V / 4.7 kΩ / 4.7 kΩ EOL / 680 Ω alarm wiring.</summary>
    public const double LoopNormalVolts = 1.65, LoopAlarmVolts = 0.37, LoopOpenVolts = 3.3, LoopShortVolts = 0.0;

    private readonly TimeProvider _time;
    private readonly Dictionary<string, SimulatedMcp23017Chip> _expanders = [];
    private readonly Dictionary<string, SimulatedAds1115Chip> _adcs = [];
    private readonly Dictionary<string, SimulatedTemperatureProbe> _probes = [];
    private readonly HashSet<string> _deadSirens = [];
    private readonly Dictionary<string, long> _lastOnTimestamp = [];
    private readonly Lock _gate = new();

    public SimulatedBoard(BoardProfile profile, TimeProvider? time = null)
    {
        Profile = profile;
        _time = time ?? TimeProvider.System;
        Driver = new SimulatedGpioDriver();
        I2c = new SimulatedI2cBusProvider();
        foreach (var bus in profile.I2cBuses)
        {
            I2c.Add(bus);
        }

        foreach (var x in profile.Expanders)
        {
            var chip = new SimulatedMcp23017Chip(x.Bus, x.Address);
            I2c.Add(x.Bus).Attach(x.Address, chip);
            _expanders[x.Id] = chip;
            if (x.InterruptPin is { } intPin)
            {
                Driver.MarkDriven(intPin);
                Driver.SetInputLevel(intPin, PinValue.High);
                chip.InterruptChanged += asserted => Driver.SetInputLevel(intPin, asserted ? PinValue.Low : PinValue.High);
            }

            var expanderId = x.Id;
            chip.OutputChanged += (pin, high) => OnOutput(new ExpanderSource(expanderId, pin), high);
        }

        foreach (var a in profile.Adcs)
        {
            var chip = new SimulatedAds1115Chip(a.Bus, a.Address);
            for (var i = 0; i < 4; i++)
            {
                chip.SetVolts(i, LoopNormalVolts);
            }

            I2c.Add(a.Bus).Attach(a.Address, chip);
            _adcs[a.Id] = chip;
        }

        foreach (var ch in profile.Channels)
        {
            switch (ch.Source)
            {
                case OneWireSource:
                    _probes[ch.Id] = new SimulatedTemperatureProbe(ch, _time);
                    break;
                case GpioSource g when !ch.Kind.IsOutput():
                    Driver.MarkDriven(g.Pin);
                    Driver.SetInputLevel(g.Pin, NormalLevel(ch) ? PinValue.High : PinValue.Low);
                    break;
                case ExpanderSource x when !ch.Kind.IsOutput():
                    _expanders[x.Expander].SetInput(x.Pin, NormalLevel(ch));
                    break;
                default:
                    break;
            }
        }

        Driver.OutputWritten += (pin, level, _) => OnOutput(new GpioSource(pin), level == PinValue.High);
    }

    public BoardProfile Profile { get; }
    public SimulatedGpioDriver Driver { get; }
    public SimulatedI2cBusProvider I2c { get; }
    public IOneWireProbeFactory OneWire => this;

    /// <summary>Raised when an output channel switches: (channel, on, Stopwatch timestamp).</summary>
    public event Action<ChannelSpec, bool, long>? OutputSwitched;

    /// <summary>Opens the board with the real channel drivers over this simulation.</summary>
    public Board Open(GpioController controller) => Board.Open(Profile, controller, I2c, OneWire);

    ITemperatureProbe IOneWireProbeFactory.Open(ChannelSpec channel, OneWireSource source) =>
        _probes.TryGetValue(channel.Id, out var p) ? p : throw new IOException($"no simulated probe {source.DeviceId}");

    // The level a healthy, quiet input shows: inactive, except mains-ok which is active while mains is present.
    private static bool NormalLevel(ChannelSpec ch) => (ch.Kind == ChannelKind.MainsOk) ^ ch.ActiveLow;

    /// <summary>Puts an input into its active state (detector in alarm, button pressed, tamper open, mains OK).</summary>
    public void Trip(string channelId) => SetActive(channelId, true);

    /// <summary>Returns an input to inactive (for mains-ok that means mains has failed).</summary>
    public void Restore(string channelId) => SetActive(channelId, false);

    /// <summary>Sets an input's active state directly.</summary>
    public void SetActive(string channelId, bool active)
    {
        var ch = Profile.Channel(channelId);
        switch (ch.Source)
        {
            case GpioSource g when !ch.Kind.IsOutput():
                Driver.SetInputLevel(g.Pin, active ^ ch.ActiveLow ? PinValue.High : PinValue.Low);
                break;
            case ExpanderSource x when !ch.Kind.IsOutput():
                _expanders[x.Expander].SetInput(x.Pin, active ^ ch.ActiveLow);
                break;
            case AdcSource a:
                _adcs[a.Adc].SetVolts(a.Channel, active ? LoopAlarmVolts : LoopNormalVolts);
                break;
            default:
                throw new InvalidOperationException($"channel '{channelId}' ({ch.Kind.ToName()} on {ch.Source}) is not a contact input");
        }
    }

    /// <summary>A contact that closes for <paramref name="duration"/> on the injected clock, then opens again.</summary>
    public void Glitch(string channelId, TimeSpan duration)
    {
        Trip(channelId);
        ITimer? timer = null;
        timer = _time.CreateTimer(_ => { Restore(channelId); timer?.Dispose(); }, null, duration, Timeout.InfiniteTimeSpan);
    }

    public void OpenCircuit(string channelId) => SetLoopVolts(channelId, LoopOpenVolts);

    public void ShortCircuit(string channelId) => SetLoopVolts(channelId, LoopShortVolts);

    /// <summary>Puts an arbitrary voltage on a supervised loop.</summary>
    public void SetLoopVolts(string channelId, double volts)
    {
        var ch = Profile.Channel(channelId);
        if (ch.Source is not AdcSource a)
        {
            throw new InvalidOperationException($"channel '{channelId}' is not a supervised ADC loop");
        }

        _adcs[a.Adc].SetVolts(a.Channel, volts);
    }

    public SimulatedAds1115Chip Adc(string id) => _adcs[id];

    public SimulatedMcp23017Chip Expander(string id) => _expanders[id];

    public SimulatedTemperatureProbe Probe(string channelId) =>
        _probes.TryGetValue(channelId, out var p) ? p : throw new InvalidOperationException($"channel '{channelId}' is not a heat probe");

    public void SetTemperature(string channelId, double celsius) => Probe(channelId).Set(celsius);

    public void RampTemperature(string channelId, double celsiusPerMinute) => Probe(channelId).Ramp(celsiusPerMinute);

    /// <summary>The siren stops working: driving it no longer closes its feedback contact.</summary>
    public void KillSiren(string sirenChannelId)
    {
        lock (_gate)
        {
            _deadSirens.Add(sirenChannelId);
        }
    }

    public void ReviveSiren(string sirenChannelId)
    {
        lock (_gate)
        {
            _deadSirens.Remove(sirenChannelId);
        }
    }

    /// <summary>Whether an output channel is switched on (accounting for active-low relays).</summary>
    public bool IsOn(string channelId)
    {
        var ch = Profile.Channel(channelId);
        var high = ch.Source switch
        {
            GpioSource g => Driver.GetLevel(g.Pin) == PinValue.High,
            ExpanderSource x => _expanders[x.Expander].OutputLevel(x.Pin),
            _ => throw new InvalidOperationException($"channel '{channelId}' is not an output"),
        };
        return high ^ ch.ActiveLow;
    }

    /// <summary>Stopwatch timestamp of the last time the output switched on, or null.</summary>
    public long? LastSwitchedOn(string channelId)
    {
        lock (_gate)
        {
            return _lastOnTimestamp.TryGetValue(channelId, out var t) ? t : null;
        }
    }

    private void OnOutput(ChannelSource source, bool high)
    {
        var ch = Profile.Channels.FirstOrDefault(c => c.Source == source && c.Kind.IsOutput());
        if (ch is null)
        {
            return;
        }

        var on = high ^ ch.ActiveLow;
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        bool dead;
        lock (_gate)
        {
            if (on)
            {
                _lastOnTimestamp[ch.Id] = now;
            }

            dead = _deadSirens.Contains(ch.Id);
        }

        if (ch.Kind == ChannelKind.Siren)
        {
            foreach (var fb in Profile.Channels.Where(c => c.Kind == ChannelKind.SirenFeedback && c.Supervises == ch.Id))
            {
                SetActive(fb.Id, on && !dead);
            }
        }

        OutputSwitched?.Invoke(ch, on, now);
    }
}
