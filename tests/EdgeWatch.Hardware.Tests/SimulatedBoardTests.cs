using System.Device.Gpio;
using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Ds18b20;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Hardware.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace EdgeWatch.Hardware.Tests;

public sealed class SimulatedBoardTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly SimulatedBoard _sim;
    private readonly GpioController _gpio;
    private readonly Board _board;

    public SimulatedBoardTests()
    {
        _sim = new SimulatedBoard(BoardProfiles.Load("rpi4-mcp23017"), _time);
        _gpio = new GpioController(_sim.Driver);
        _board = _sim.Open(_gpio);
    }

    public void Dispose()
    {
        _board.Dispose();
        _gpio.Dispose();
    }

    private IDigitalInput Input(string id) => _board.Inputs.Single(i => i.Spec.Id == id);

    [Fact]
    public void ExpanderInputInterruptReachesTheBindingWithoutAScan()
    {
        var input = Input("h3.call-point.inside");
        var seen = new List<bool>();
        input.Changed += (_, active) => seen.Add(active);

        _sim.Trip("h3.call-point.inside");
        Assert.Equal([true], seen);
        Assert.True(input.IsActive);

        _sim.Restore("h3.call-point.inside");
        Assert.Equal([true, false], seen);
        Assert.False(input.IsActive);
    }

    [Fact]
    public void ExpanderOutputDrivenThroughTheBindingSetsThePinAndItsFeedback()
    {
        var siren = _board.Outputs.Single(o => o.Spec.Id == "h6.siren");
        siren.Drive(true);
        Assert.True(_sim.IsOn("h6.siren"));
        Assert.True(Input("h6.siren-feedback").IsActive);
        siren.Drive(false);
        Assert.False(_sim.IsOn("h6.siren"));
        Assert.False(Input("h6.siren-feedback").IsActive);
    }

    [Fact]
    public void BatchedWriteSwitchesEverySirenTogether()
    {
        var sirens = _board.Outputs.Where(o => o.Spec.Kind == ChannelKind.Siren).ToList();
        Board.SetAll(sirens, true);
        Assert.Equal(8, sirens.Count);
        Assert.All(sirens, s => Assert.True(_sim.IsOn(s.Spec.Id)));
    }

    [Fact]
    public void ExpanderThatRefusesWritesIsReportedAndTheOtherExpandersAreStillWritten()
    {
        var sirens = _board.Outputs.Where(o => o.Spec.Kind == ChannelKind.Siren).ToList();
        _sim.Expander("mcp-a").FailAllWrites = true;

        var failures = Board.SetAll(sirens, true);

        var failure = Assert.Single(failures);
        Assert.Equal("expander mcp-a", failure.Controller);
        Assert.Contains("did not acknowledge", failure.Error, StringComparison.Ordinal);
        var onA = sirens.Where(s => s.Spec.Source is ExpanderSource { Expander: "mcp-a" }).ToList();
        Assert.Equal(onA.Select(s => s.Spec.Id).Order(), failure.Outputs.Select(o => o.Spec.Id).Order());

        // IsOn is what was written: false on the failed expander, true on the healthy one.
        Assert.All(onA, s => Assert.False(s.IsOn || _sim.IsOn(s.Spec.Id)));
        Assert.All(sirens.Except(onA), s => Assert.True(s.IsOn && _sim.IsOn(s.Spec.Id)));

        _sim.Expander("mcp-a").FailAllWrites = false;
        Assert.Empty(Board.SetAll(onA, true));
        Assert.All(onA, s => Assert.True(s.IsOn && _sim.IsOn(s.Spec.Id)));
    }

    [Fact]
    public void TransientNakFailsExactlyTheNextWrites()
    {
        var h1 = _board.Outputs.Single(o => o.Spec.Id == "h1.siren");
        _sim.Expander("mcp-a").FailNextWrites(2);
        Assert.Single(Board.SetAll([h1], true));
        Assert.Single(Board.SetAll([h1], true));
        Assert.Empty(Board.SetAll([h1], true));
        Assert.Equal(2, _sim.Expander("mcp-a").FailedWrites);
        Assert.True(_sim.IsOn("h1.siren"));
    }

    [Fact]
    public void DeadSirenGivesNoFeedback()
    {
        _sim.KillSiren("h2.siren");
        _board.Outputs.Single(o => o.Spec.Id == "h2.siren").Drive(true);
        Assert.False(Input("h2.siren-feedback").IsActive);
    }

    [Theory]
    [InlineData(1.65, LoopState.Normal)]
    [InlineData(0.37, LoopState.Alarm)]
    [InlineData(3.3, LoopState.OpenCircuit)]
    [InlineData(0.0, LoopState.ShortCircuit)]
    public void Ads1115LoopIsReadThroughTheBinding(double volts, LoopState state)
    {
        _sim.SetLoopVolts("h2.smoke", volts);
        var reading = _board.Loops.Single(l => l.Spec.Id == "h2.smoke").Read();
        Assert.Equal(state, reading.State);
        Assert.Equal(volts, reading.Volts, 0.002);
    }

    [Fact]
    public void UnresponsiveAdcReadsAsOpenLoopWithAReason()
    {
        _sim.Adc("adc-a").Unresponsive = true;
        var reading = _board.Loops.Single(l => l.Spec.Id == "h1.smoke").Read();
        Assert.Equal(LoopState.OpenCircuit, reading.State);
        Assert.Contains("adc-a", reading.Error);
    }

    [Fact]
    public void GpioPanelInputFollowsTheSimulatedHeader()
    {
        var mains = Input("mains-ok");
        Assert.True(mains.IsActive);
        _sim.Restore("mains-ok");
        Assert.False(mains.IsActive);
    }

    [Fact]
    public void TemperatureRampFollowsTheInjectedClock()
    {
        var probe = _board.Probes.Single(p => p.Spec.Id == "h1.heat");
        _sim.SetTemperature("h1.heat", 20);
        _sim.RampTemperature("h1.heat", 6);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(23.0, probe.Read().Celsius, 0.07);
    }

    [Fact]
    public void PowerOnResetValueIsNotATemperature()
    {
        _sim.Probe("h1.heat").GlitchOnce(85.0);
        var reading = _board.Probes.Single(p => p.Spec.Id == "h1.heat").Read();
        Assert.False(reading.Ok);
        Assert.Contains("85", reading.Error);
    }

    [Fact]
    public void LostProbeFailsWithAReason()
    {
        _sim.Probe("h2.heat").Lose();
        var reading = _board.Probes.Single(p => p.Spec.Id == "h2.heat").Read();
        Assert.False(reading.Ok);
        Assert.Contains("not found", reading.Error);
    }

    [Fact]
    public void MissingChipOnTheBusStopsTheBoardNamingIt()
    {
        var profile = BoardProfiles.Parse("""
            { "name": "ghost", "i2cBuses": [1], "expanders": [ { "id": "mcp-ghost", "bus": 1, "address": 39 } ],
              "channels": [ { "household": "h1", "kind": "siren", "expander": "mcp-ghost", "pin": 7 } ] }
            """);
        var sim = new SimulatedBoard(profile, _time);
        var buses = new SimulatedI2cBusProvider();
        buses.Add(1); // the bus exists, but nothing answers at 0x27
        using var gpio = new GpioController(sim.Driver);
        var ex = Assert.Throws<BoardProfileException>(() => Board.Open(profile, gpio, buses, sim.OneWire));
        Assert.Contains("mcp-ghost", ex.Message);
        Assert.Contains("0x27", ex.Message);
    }

    [Fact]
    public void ProbeSanityRejectsOutOfRangeValues()
    {
        Assert.False(ProbeSanity.Check(-127).Ok);
        Assert.True(ProbeSanity.Check(57.5).Ok);
    }
}
