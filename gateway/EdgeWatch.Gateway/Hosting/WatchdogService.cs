using System.Globalization;
using EdgeWatch.Gateway.FireSafety;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.Hosting;

/// <summary>
/// Pings systemd's watchdog (<c>WATCHDOG=1</c>, unit <c>WatchdogSec</c>) at half the interval systemd asks for, but
/// only while <see cref="FirePathLiveness"/> says the fire path is alive. A frozen alarm clock or a scan stuck on the
/// bus stops the pings, and systemd kills and restarts the gateway; the restarted engine resumes a latched alarm.
/// Without systemd (no <c>WATCHDOG_USEC</c>) it does nothing; the <c>fire-path</c> health check shows the same state.
/// </summary>
public sealed partial class WatchdogService(FireSafetyEngine engine, ISystemdNotifier notifier, TimeProvider time, ILogger<WatchdogService> logger)
    : SupervisedService(time, logger)
{
    /// <summary>The ping interval; null reads it from systemd's <c>WATCHDOG_USEC</c> (half of it).</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>Pings sent so far.</summary>
    public long Pings => Interlocked.Read(ref _pings);
    private long _pings;
    private string? _withheld;

    public static TimeSpan? FromEnvironment()
    {
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (pid is not null && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null; // meant for another process
        }

        return long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var us) && us > 0 ? TimeSpan.FromMicroseconds(us / 2.0) : null;
    }

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if ((Interval ?? FromEnvironment()) is not { } every || !notifier.IsEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(every, Time);
        do
        {
            Tick();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One check: ping if the fire path is alive, otherwise withhold the ping and say why (once per cause).</summary>
    internal void Tick()
    {
        var problem = engine.Liveness.Problem;
        if (problem is null)
        {
            if (_withheld is not null)
            {
                Resumed(Logger);
                _withheld = null;
            }

            notifier.Notify(new ServiceState("WATCHDOG=1"));
            Interlocked.Increment(ref _pings);
            return;
        }

        if (_withheld is null)
        {
            Withheld(Logger, problem);
        }

        _withheld = problem;
    }

    [LoggerMessage(EventId = 1400, Level = LogLevel.Critical, Message = "Watchdog ping withheld: {Problem}. systemd will restart the gateway")]
    private static partial void Withheld(ILogger logger, string problem);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Fire path alive again; watchdog pings resumed")]
    private static partial void Resumed(ILogger logger);
}

/// <summary>Health check <c>fire-path</c>: unhealthy while the alarm clock, the input scan or heat sampling is stalled.</summary>
public sealed class FirePathHealthCheck(FireSafetyEngine engine) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(engine.Liveness.Problem is { } problem ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy("alarm clock, input scan and heat sampling running"));
}
