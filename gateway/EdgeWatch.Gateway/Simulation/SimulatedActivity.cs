using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Hardware.Simulation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.Simulation;

/// <summary>Synthetic activity on a simulated board (section <c>Simulation</c>); every interval 0 means off.</summary>
public sealed class SimulationOptions
{
    public const string Section = "Simulation";

    /// <summary>Trip a random call point, restore it and reset the group, this often.</summary>
    public TimeSpan AlarmInterval { get; set; }

    /// <summary>Open and close the tamper switch (trouble, trouble-cleared) this often.</summary>
    public TimeSpan TroubleInterval { get; set; }

    /// <summary>Emit a motion start/end pair on a simulated camera this often.</summary>
    public TimeSpan MotionInterval { get; set; }

    /// <summary>Trip and release this call point once at start, and leave the alarm latched (no reset).</summary>
    public string? LatchOnce { get; set; }

    /// <summary>Queue one snapshot-sized payload per simulated camera this often (uplink load; 0 = off).</summary>
    public TimeSpan SnapshotInterval { get; set; }

    /// <summary>How many simulated cameras push snapshots.</summary>
    public int SnapshotCameras { get; set; } = 1;

    /// <summary>Bytes per snapshot (random, as incompressible as a JPEG).</summary>
    public int SnapshotBytes { get; set; } = 30_000;
}

/// <summary>
/// Drives a simulated board and a simulated camera so that a gateway produces the town's kinds of traffic on its own
/// (used by the outage benchmark and the crash tests, where the gateway is a separate process). Only runs with
/// <c>Hardware:Driver=simulated</c>.
/// </summary>
public sealed class SimulatedActivity(
    IServiceProvider services, FireSafetyEngine engine, MotionPublisher motion, IOptions<SimulationOptions> options, IOptions<Hosting.HardwareOptions> hardware, TimeProvider time,
    Microsoft.Extensions.Logging.ILogger<SimulatedActivity> logger)
    : Hosting.SupervisedService(time, logger)
{
    private SimulatedBoard board = null!;

    protected override Task RunAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (o.AlarmInterval <= TimeSpan.Zero && o.TroubleInterval <= TimeSpan.Zero && o.MotionInterval <= TimeSpan.Zero && o.LatchOnce is null
            && o.SnapshotInterval <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        if (hardware.Value.Driver != "simulated")
        {
            throw new InvalidOperationException($"{SimulationOptions.Section} needs Hardware:Driver=simulated (was '{hardware.Value.Driver}')");
        }

        board = services.GetRequiredService<SimulatedBoard>();
        return Task.WhenAll(
            o.LatchOnce is { } point ? LatchAsync(point, stoppingToken) : Task.CompletedTask,
            o.AlarmInterval > TimeSpan.Zero ? AlarmsAsync(o.AlarmInterval, stoppingToken) : Task.CompletedTask,
            o.TroubleInterval > TimeSpan.Zero ? TroubleAsync(o.TroubleInterval, stoppingToken) : Task.CompletedTask,
            o.MotionInterval > TimeSpan.Zero ? MotionAsync(o.MotionInterval, stoppingToken) : Task.CompletedTask,
            o.SnapshotInterval > TimeSpan.Zero ? SnapshotsAsync(o, stoppingToken) : Task.CompletedTask);
    }

    private async Task AlarmsAsync(TimeSpan every, CancellationToken ct)
    {
        var points = board.Profile.Channels.Where(c => c.Kind == ChannelKind.CallPoint && c.Source is not AdcSource).Select(c => c.Id).ToArray();
        var settle = engine.Options.Debounce + TimeSpan.FromMilliseconds(100);
        await Loop(every, async () =>
        {
            var point = points[Random.Shared.Next(points.Length)];
            board.Trip(point);
            await Task.Delay(settle, Time, ct).ConfigureAwait(false);
            board.Restore(point);
            await Task.Delay(settle, Time, ct).ConfigureAwait(false);
            engine.Reset("simulation");
        }, ct).ConfigureAwait(false);
    }

    private async Task LatchAsync(string point, CancellationToken ct)
    {
        board.Trip(point);
        await Task.Delay(engine.Options.Debounce + TimeSpan.FromMilliseconds(100), Time, ct).ConfigureAwait(false);
        board.Restore(point);
    }

    private Task SnapshotsAsync(SimulationOptions o, CancellationToken ct) =>
        Task.WhenAll(Enumerable.Range(1, o.SnapshotCameras).Select(camera => Loop(o.SnapshotInterval, () =>
        {
            var jpeg = new byte[o.SnapshotBytes];
            Random.Shared.NextBytes(jpeg);
            motion.PublishSnapshot(Guid.CreateVersion7(), jpeg);
            return Task.CompletedTask;
        }, ct)));

    private Task TroubleAsync(TimeSpan every, CancellationToken ct)
    {
        var open = false;
        return Loop(every, () =>
        {
            open = !open;
            board.SetActive("tamper", open);
            return Task.CompletedTask;
        }, ct);
    }

    private Task MotionAsync(TimeSpan every, CancellationToken ct) =>
        Loop(every, async () =>
        {
            var start = motion.Publish("cam-1", "start", null, ["yard"], [[120, 80, 40, 90]], 0.02, armed: true);
            await Task.Delay(TimeSpan.FromMilliseconds(200), Time, ct).ConfigureAwait(false);
            motion.Publish("cam-1", "end", start.EventId, ["yard"], [[150, 80, 40, 90]], 0.02, armed: true);
        }, ct);

    private async Task Loop(TimeSpan every, Func<Task> step, CancellationToken ct)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)Math.Max(1, every.TotalMilliseconds))), Time, ct).ConfigureAwait(false);
            using var timer = new PeriodicTimer(every, Time);
            do
            {
                await step().ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
