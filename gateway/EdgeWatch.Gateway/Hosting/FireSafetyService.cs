using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Remote;
using EdgeWatch.Gateway.Uplink;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.Hosting;

/// <summary>
/// Starts the fire-safety engine at host start, first of all services, and raises what storage found as troubles:
/// an outbox that could not be opened, outbox writes that fail while running, and a broker refusing fire or trouble. Stops it (sirens off) at host stop,
/// saying so when that releases sounding sirens.
/// </summary>
internal sealed partial class FireSafetyService(
    FireSafetyEngine engine, RemoteConfiguration remote, UplinkMetrics metrics, DurableEventWriter writer, OutboxHealth storage, StorageFaults faults,
    MqttUplink uplink, ILogger<FireSafetyService> logger)
    : IHostedService
{
    /// <summary>The channel field of storage troubles raised at start (opening) and while running (writing).</summary>
    public const string OutboxOpenChannel = "storage";
    public const string OutboxWriteChannel = "outbox";

    /// <summary>The channel field of the trouble raised when the persisted remote configuration can't be used.</summary>
    public const string ConfigChannel = "config";

    /// <summary>The channel of the trouble raised while the broker refuses a fire or trouble entry.</summary>
    public const string UplinkChannel = "uplink";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = metrics;
        var configProblem = remote.LoadPersisted(); // the last configuration the cloud sent survives a reboot
        writer.StorageFaultChanged += detail => faults.Report(nameof(DurableEventWriter), detail);
        faults.Changed += detail => engine.ReportSystemTrouble(OutboxWriteChannel, "storage", detail is not null, detail);
        uplink.UrgentRefusalChanged += detail => engine.ReportSystemTrouble(UplinkChannel, "uplink-refused", detail is not null, detail);
        engine.Start();
        if (storage.Problem is { } problem)
        {
            engine.ReportSystemTrouble(OutboxOpenChannel, "storage", true, problem);
        }

        if (configProblem is not null)
        {
            engine.ReportSystemTrouble(ConfigChannel, "config", true, configProblem);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (engine.State != GroupState.Normal)
        {
            StoppingDuringAlarm(logger, engine.State);
        }

        // Every raised event is on disk before the process ends, unless the disk refuses it.
        if (!writer.Flush(TimeSpan.FromSeconds(5)))
        {
            UnwrittenAtStop(logger, writer.Unwritten, writer.StorageFault ?? "the writer did not finish in time");
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Critical, Message = "Planned stop during {State}: the sirens are being released. The latched alarm resumes when the gateway starts again")]
    private static partial void StoppingDuringAlarm(ILogger logger, GroupState state);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Critical, Message = "Stopping with {Count} fire/trouble event(s) not on disk ({Reason}); those not yet delivered are lost")]
    private static partial void UnwrittenAtStop(ILogger logger, int count, string reason);
}
