using System.Device.Gpio;
using EdgeWatch.Hardware.Ads1115;
using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Ds18b20;
using EdgeWatch.Hardware.Gpio;
using EdgeWatch.Hardware.Mcp23017;
using EdgeWatch.Hardware.Profiles;

namespace EdgeWatch.Hardware;

/// <summary>
/// The channels of one board profile, opened over an injected <see cref="GpioController"/>, I2C buses and 1-Wire factory.
/// The board owns the expander and ADC bindings it creates and the pins it opens; it never owns the host controller or the buses.
/// </summary>
public sealed class Board : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly List<Mcp23017Expander> _expanders = [];

    private Board(BoardProfile profile) => Profile = profile;

    public BoardProfile Profile { get; }
    public IReadOnlyList<IDigitalInput> Inputs { get; private set; } = [];
    public IReadOnlyList<IDigitalOutput> Outputs { get; private set; } = [];
    public IReadOnlyList<ITemperatureProbe> Probes { get; private set; } = [];
    public IReadOnlyList<ISupervisedLoop> Loops { get; private set; } = [];

    public static Board Open(BoardProfile profile, GpioController gpio, II2cBusProvider i2c, IOneWireProbeFactory oneWire)
    {
        var board = new Board(profile);
        try
        {
            board.OpenChannels(gpio, i2c, oneWire);
            return board;
        }
        catch
        {
            board.Dispose();
            throw;
        }
    }

    private void OpenChannels(GpioController gpio, II2cBusProvider i2c, IOneWireProbeFactory oneWire)
    {
        var expanders = new Dictionary<string, Mcp23017Expander>();
        foreach (var spec in Profile.Expanders)
        {
            var device = OpenDevice(i2c, spec.Bus, spec.Address, $"expander '{spec.Id}'");
            var expander = new Mcp23017Expander(spec, device, gpio);
            _owned.Add(expander);
            _expanders.Add(expander);
            expanders[spec.Id] = expander;
        }

        var adcs = new Dictionary<string, Ads1115Adc>();
        foreach (var spec in Profile.Adcs)
        {
            var adc = new Ads1115Adc(spec, OpenDevice(i2c, spec.Bus, spec.Address, $"ADC '{spec.Id}'"));
            _owned.Add(adc);
            adcs[spec.Id] = adc;
        }

        var inputs = new List<IDigitalInput>();
        var outputs = new List<IDigitalOutput>();
        var probes = new List<ITemperatureProbe>();
        var loops = new List<ISupervisedLoop>();
        foreach (var ch in Profile.Channels)
        {
            switch (ch.Source)
            {
                case GpioSource g when ch.Kind.IsOutput():
                    outputs.Add(Own(new ControllerOutput(ch, gpio, g.Pin)));
                    break;
                case GpioSource g:
                    inputs.Add(Own(new GpioDigitalInput(ch, gpio, g.Pin)));
                    break;
                case ExpanderSource x when ch.Kind.IsOutput():
                    outputs.Add(expanders[x.Expander].AddOutput(ch, x.Pin));
                    break;
                case ExpanderSource x:
                    inputs.Add(expanders[x.Expander].AddInput(ch, x.Pin));
                    break;
                case AdcSource a:
                    loops.Add(adcs[a.Adc].AddLoop(ch, a.Channel, Profile.LoopBands));
                    break;
                case OneWireSource w:
                    probes.Add(oneWire.Open(ch, w));
                    break;
                default:
                    throw new BoardProfileException($"channel '{ch.Id}': unsupported source {ch.Source}");
            }
        }

        foreach (var e in _expanders)
        {
            e.Start();
        }

        Inputs = inputs;
        Outputs = outputs;
        Probes = probes;
        Loops = loops;
    }

    private static System.Device.I2c.I2cDevice OpenDevice(II2cBusProvider i2c, int bus, int address, string who)
    {
        try
        {
            return i2c.GetBus(bus).CreateDevice(address);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            throw new BoardProfileException($"{who}: cannot open I2C bus {bus} address 0x{address:x2}: {ex.Message}", ex);
        }
    }

    private T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    /// <summary>
    /// Reads every expander (the safety net for a missed interrupt, and the only path for expanders without one). An
    /// expander that can't be read (a bus error, a chip that came loose) doesn't stop the others; the ids of those
    /// that failed are returned with the error, and their inputs keep their last reading.
    /// </summary>
    public IReadOnlyList<(string Expander, string Error)> ScanExpanders()
    {
        List<(string, string)>? failed = null;
        foreach (var e in _expanders)
        {
            try
            {
                e.Scan();
            }
            catch (IOException ex)
            {
                (failed ??= []).Add((e.Spec.Id, ex.Message));
            }
        }

        return failed ?? (IReadOnlyList<(string, string)>)[];
    }

    /// <summary>The ids of the board's expanders.</summary>
    public IEnumerable<string> ExpanderIds => _expanders.Select(e => e.Spec.Id);

    /// <summary>Switches several outputs together: one write per controller, so a whole group's sirens start in the same instant.</summary>
    /// <summary>
    /// Switches every output, one write per controller. A controller that fails (an expander that NAKs, a bus error)
    /// keeps its outputs' last written state and doesn't stop the writes to the others; the failures are returned.
    /// An output's <see cref="IDigitalOutput.IsOn"/> is what was written successfully, not what was asked for.
    /// </summary>
    public static IReadOnlyList<OutputWriteFailure> SetAll(IEnumerable<IDigitalOutput> outputs, bool on)
    {
        List<OutputWriteFailure>? failures = null;
        var list = outputs as IReadOnlyCollection<IDigitalOutput> ?? [.. outputs];
        foreach (var byController in list.OfType<ControllerOutput>().GroupBy(o => o.Controller))
        {
            var group = byController.ToList();
            try
            {
                byController.Key.Write(group.Select(o => new PinValuePair(o.Pin, o.LevelFor(on))).ToArray());
                foreach (var o in group)
                {
                    o.MarkWritten(on);
                }
            }
            catch (Exception ex) when (IsWriteFault(ex))
            {
                (failures ??= []).Add(new OutputWriteFailure([.. group], OutputWriteFailure.ControllerOf(group[0].Spec), ex.Message));
            }
        }

        foreach (var other in list.Where(o => o is not ControllerOutput))
        {
            try
            {
                other.Drive(on);
            }
            catch (Exception ex) when (IsWriteFault(ex))
            {
                (failures ??= []).Add(new OutputWriteFailure([other], OutputWriteFailure.ControllerOf(other.Spec), ex.Message));
            }
        }

        return failures ?? (IReadOnlyList<OutputWriteFailure>)[];
    }

    // What a bus or a driver throws when a chip doesn't answer or a line can't be set. Anything else is a bug.
    private static bool IsWriteFault(Exception ex) => ex is IOException or TimeoutException or InvalidOperationException or UnauthorizedAccessException;

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            try
            {
                _owned[i].Dispose();
            }
            catch (Exception ex) when (ex is IOException or TimeoutException)
            {
                // A chip that stopped answering must not keep the rest of the board from being released.
            }
        }

        _owned.Clear();
    }
}
