using EdgeWatch.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.Hosting;

/// <summary>
/// A hosted service that can fail alone. <see cref="RunAsync"/> is restarted after an exception, with backoff
/// (1 s doubling with jitter up to a minute, reset once a run has lasted a minute), and the exception never reaches
/// the host: with the default <c>BackgroundServiceExceptionBehavior.StopHost</c> a failing heartbeat or camera loop
/// would otherwise stop the host, and with it the fire-safety engine and its sirens. Every gateway service except the
/// engine derives from it.
/// </summary>
public abstract partial class SupervisedService(TimeProvider time, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan StableRun = TimeSpan.FromMinutes(1);

    /// <summary>The service's clock (the host's <see cref="TimeProvider"/>).</summary>
    protected TimeProvider Time { get; } = time;

    protected ILogger Logger { get; } = logger;
    private int _restarts;

    /// <summary>How often <see cref="RunAsync"/> failed and was restarted.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>Backoff between restarts (first delay, cap).</summary>
    public (TimeSpan Min, TimeSpan Max) RestartDelay { get; init; } = (TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    /// <summary>The service's work. Returning ends it; throwing restarts it.</summary>
    protected abstract Task RunAsync(CancellationToken stoppingToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new ReconnectBackoff(RestartDelay.Min, RestartDelay.Max);
        var name = GetType().Name;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = Time.GetTimestamp();
            try
            {
                await RunAsync(stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (Time.GetElapsedTime(started) >= StableRun)
                {
                    backoff.Reset();
                }

                var delay = backoff.Next();
                var restarts = Interlocked.Increment(ref _restarts);
                Failed(Logger, name, restarts, delay.TotalSeconds, ex);
                try
                {
                    await Task.Delay(delay, Time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Error, Message = "{Service} failed (restart {Restarts}); restarting in {Seconds:0.0} s. Fire safety is not affected")]
    private static partial void Failed(ILogger logger, string service, int restarts, double seconds, Exception exception);
}
