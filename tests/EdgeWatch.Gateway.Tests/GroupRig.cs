using System.Collections.Concurrent;
using System.Device.Gpio;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Hardware;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Hardware.Simulation;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeWatch.Gateway.Tests;

/// <summary>A simulated fire-safety group: simulated board, real bindings, the engine, a fake clock and a recording sink.</summary>
internal sealed class GroupRig : IDisposable, IFireEventSink
{
    private readonly GpioController _gpio;
    private readonly ConcurrentQueue<FireEvent> _events = new();

    /// <param name="beforeStart">Runs on the simulated board after it is opened and before the engine starts: the inputs
    /// the engine finds at start-up.</param>
    /// <param name="latch">Where the engine keeps its alarm latch (none by default).</param>
    public GroupRig(string profile = "rpi4-mcp23017", Action<FireSafetyOptions>? configure = null, Action<SimulatedBoard>? beforeStart = null, IAlarmLatchStore? latch = null)
    {
        Options = new FireSafetyOptions();
        configure?.Invoke(Options);
        Sim = new SimulatedBoard(BoardProfiles.Load(profile), Time);
        _gpio = new GpioController(Sim.Driver);
        Board = Sim.Open(_gpio);
        Engine = new FireSafetyEngine(Board, Options, new FireEventFactory(new GatewayIdentity("town", "gw-1", "g1"), Time, new PlausibleClock()), this, Time, NullLogger<FireSafetyEngine>.Instance, latch: latch);
        beforeStart?.Invoke(Sim);
        Engine.Start();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 22, 0, 0, TimeSpan.Zero));
    public FireSafetyOptions Options { get; }
    public SimulatedBoard Sim { get; }
    public Board Board { get; }
    public FireSafetyEngine Engine { get; }
    public IReadOnlyList<FireEvent> Events => [.. _events];

    public IEnumerable<string> Sirens => Sim.Profile.Channels.Where(c => c.Kind == ChannelKind.Siren).Select(c => c.Id);

    public bool AllSirensOn => Sirens.All(Sim.IsOn);
    public bool AnySirenOn => Sirens.Any(Sim.IsOn);

    public void Publish(FireEvent fireEvent) => _events.Enqueue(fireEvent);

    /// <summary>Advances the fake clock in small steps so that periodic timers fire in order.</summary>
    public void Advance(TimeSpan by, TimeSpan? step = null)
    {
        var s = step ?? TimeSpan.FromMilliseconds(10);
        for (var t = TimeSpan.Zero; t < by; t += s)
        {
            Time.Advance(s < by - t ? s : by - t);
        }
    }

    public IEnumerable<FireEvent> OfKind(FireEventKind kind) => Events.Where(e => e.Kind == kind);

    public void Dispose()
    {
        Engine.Dispose();
        Board.Dispose();
        _gpio.Dispose();
    }
}
