using System.Collections.Concurrent;
using System.Device.Gpio;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Hardware.Simulation;
using EdgeWatch.Protocol;
using EdgeWatch.Testing;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeWatch.Gateway.Tests;

/// <summary>
/// The watchdog pings only while the fire path runs. A real alarm clock thread (a private <see cref="FireSafetyClock"/>)
/// is frozen by a callback that blocks on it, as a deadlock on the alarm path would.
/// </summary>
[Trait("Category", "Integration")]
public sealed class WatchdogTests : IDisposable
{
    private sealed class RecordingNotifier : ISystemdNotifier
    {
        public ConcurrentQueue<string> Sent { get; } = new();
        public bool IsEnabled => true;
        public void Notify(ServiceState state) => Sent.Enqueue(state.ToString());
    }

    private sealed class NullSink : IFireEventSink
    {
        public void Publish(FireEvent fireEvent)
        {
        }
    }

    private readonly FireSafetyClock _clock = new();
    private readonly SimulatedBoard _sim = new(BoardProfiles.Load("rpi4-mcp23017"));
    private readonly GpioController _gpio;
    private readonly Hardware.Board _board;
    private readonly FireSafetyEngine _engine;

    public WatchdogTests()
    {
        _gpio = new GpioController(_sim.Driver);
        _board = _sim.Open(_gpio);
        _engine = new FireSafetyEngine(_board, new FireSafetyOptions(), new FireEventFactory(new GatewayIdentity("town", "gw-1", "g1"), TimeProvider.System, new PlausibleClock()),
            new NullSink(), TimeProvider.System, NullLogger<FireSafetyEngine>.Instance, _clock);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _board.Dispose();
        _gpio.Dispose();
        _clock.Dispose();
    }

    [Fact]
    public async Task AFrozenAlarmClockStopsTheWatchdogPingsAndAThawedOneResumesThem()
    {
        var notifier = new RecordingNotifier();
        using var watchdog = new WatchdogService(_engine, notifier, TimeProvider.System, NullLogger<WatchdogService>.Instance) { Interval = TimeSpan.FromMilliseconds(50) };
        Assert.Equal("fire-safety engine not started", _engine.Liveness.Problem);
        _engine.Start();
        await watchdog.StartAsync(CancellationToken.None);
        await Eventually.WaitAsync(() => watchdog.Pings >= 5, TimeSpan.FromSeconds(10), "watchdog pings while the fire path runs");
        Assert.All(notifier.Sent, s => Assert.Equal("WATCHDOG=1", s));

        // Block the alarm clock's thread.
        using var thaw = new ManualResetEventSlim();
        using var freeze = _clock.CreateTimer(_ => thaw.Wait(TimeSpan.FromSeconds(30)), null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        await Eventually.WaitAsync(() => _engine.Liveness.Problem is not null, TimeSpan.FromSeconds(10), "the stalled alarm clock to be seen");
        Assert.StartsWith("alarm clock stalled", _engine.Liveness.Problem, StringComparison.Ordinal);

        // No ping for ten intervals.
        var pings = watchdog.Pings;
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(pings, watchdog.Pings);

        thaw.Set();
        await Eventually.WaitAsync(() => watchdog.Pings > pings, TimeSpan.FromSeconds(10), "pings after the alarm clock runs again");
        Assert.Null(_engine.Liveness.Problem);
        await watchdog.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void ThePingIntervalIsHalfOfWhatSystemdAsksForAndOnlyForThisProcess()
    {
        // Other hosts in this test process don't ping: they have no NOTIFY_SOCKET, so their notifier is disabled.
        try
        {
            Environment.SetEnvironmentVariable("WATCHDOG_USEC", "15000000");
            Environment.SetEnvironmentVariable("WATCHDOG_PID", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(TimeSpan.FromSeconds(7.5), WatchdogService.FromEnvironment());

            Environment.SetEnvironmentVariable("WATCHDOG_PID", "1");
            Assert.Null(WatchdogService.FromEnvironment());
        }
        finally
        {
            Environment.SetEnvironmentVariable("WATCHDOG_USEC", null);
            Environment.SetEnvironmentVariable("WATCHDOG_PID", null);
        }

        Assert.Null(WatchdogService.FromEnvironment());
    }

    private sealed class StartedLifetime : Microsoft.Extensions.Hosting.IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _started = new();
        public CancellationToken ApplicationStarted => _started.Token;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication()
        {
        }

        public void Start() => _started.Cancel();
        public void Dispose() => _started.Dispose();
    }

    [Fact]
    public async Task ReadyIsToldOnceEveryServiceHasStartedAndNotBefore()
    {
        var notifier = new RecordingNotifier();
        using var lifetime = new StartedLifetime();
        await new ReadyNotice(lifetime, notifier).StartAsync(CancellationToken.None);
        Assert.Empty(notifier.Sent);
        lifetime.Start();
        Assert.Equal(["READY=1"], notifier.Sent);
    }
}
