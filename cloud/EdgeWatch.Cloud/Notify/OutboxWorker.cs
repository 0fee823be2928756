using EdgeWatch.Cloud.Storage;

namespace EdgeWatch.Cloud.Notify;

/// <summary>
/// Delivers the durable notification outbox: one loop per channel, each sending its due messages (most urgent
/// first) up to the channel's concurrency, and recording every outcome in the message's row: delivered, a failed
/// attempt with its next attempt time (200 ms doubling to 30 s, kept in the row, so it survives a restart), or failed
/// (refused, or past its give-up time). Pending rows left by a crash simply go out when the worker starts again.
/// </summary>
public sealed class OutboxWorker : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private readonly IReadOnlyList<INotificationChannel> _channels;
    private readonly INotificationOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxWorker> _logger;
    private readonly Dictionary<string, SemaphoreSlim> _wake;

    public OutboxWorker(IEnumerable<INotificationChannel> channels, INotificationOutbox outbox, TimeProvider time, ILogger<OutboxWorker> logger)
    {
        _channels = [.. channels];
        _outbox = outbox;
        _time = time;
        _logger = logger;
        _wake = _channels.ToDictionary(c => c.Name, _ => new SemaphoreSlim(0));
    }

    public long Delivered => Interlocked.Read(ref _delivered);
    private long _delivered;

    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);
    private long _failedAttempts;

    /// <summary>Called after a commit that wrote notifications: deliver now rather than at the next poll.</summary>
    public void Wake()
    {
        foreach (var wake in _wake.Values)
        {
            wake.Release();
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_channels.Select(c => Task.Run(() => RunChannelAsync(c, stoppingToken), stoppingToken)));

    private async Task RunChannelAsync(INotificationChannel channel, CancellationToken stoppingToken)
    {
        var inflight = new Dictionary<long, Task>();
        using var concurrency = new SemaphoreSlim(channel.Concurrency);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    foreach (var message in await _outbox.DueAsync(channel.Name, _time.GetUtcNow(), 64, stoppingToken).ConfigureAwait(false))
                    {
                        lock (inflight)
                        {
                            if (inflight.ContainsKey(message.Id))
                            {
                                continue; // still being delivered
                            }
                        }

                        await concurrency.WaitAsync(stoppingToken).ConfigureAwait(false);
                        var task = DeliverAsync(channel, message, concurrency, inflight, stoppingToken);
                        lock (inflight)
                        {
                            if (!task.IsCompleted)
                            {
                                inflight[message.Id] = task;
                            }
                        }
                    }
                }
                catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
                {
                    OutboxLog.StoreFailed(_logger, channel.Name, ex.Message); // the database is back on the next poll
                }

                using var pollTimer = new CancellationTokenSource(Poll, _time);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, pollTimer.Token);
                try
                {
                    await _wake[channel.Name].WaitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // the poll interval passed: look for retries that came due
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        Task[] pending;
        lock (inflight)
        {
            pending = [.. inflight.Values];
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    private async Task DeliverAsync(INotificationChannel channel, OutboxMessage message, SemaphoreSlim concurrency, Dictionary<long, Task> inflight, CancellationToken ct)
    {
        await Task.Yield();
        var attempt = message.Attempts + 1;
        try
        {
            DeliveryOutcome outcome;
            try
            {
                outcome = await channel.SendAsync(message, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                outcome = DeliveryOutcome.Retry(ex.Message);
            }

            var now = _time.GetUtcNow();
            switch (outcome.Result)
            {
                case DeliveryResult.Accepted:
                    await _outbox.MarkDeliveredAsync(message.Id, attempt, now, ct).ConfigureAwait(false);
                    Interlocked.Increment(ref _delivered);
                    OutboxLog.Delivered(_logger, channel.Name, message.Id, message.IncidentId, attempt);
                    break;
                case DeliveryResult.Refused:
                    await _outbox.MarkAttemptFailedAsync(message.Id, attempt, outcome.Detail ?? "refused", now, now, true, ct).ConfigureAwait(false);
                    OutboxLog.Refused(_logger, channel.Name, message.Id, outcome.Detail ?? "refused");
                    break;
                default:
                    Interlocked.Increment(ref _failedAttempts);
                    if (await _outbox.MarkAttemptFailedAsync(message.Id, attempt, outcome.Detail ?? "failed", now + Backoff(attempt), now, false, ct).ConfigureAwait(false))
                    {
                        OutboxLog.GaveUp(_logger, channel.Name, message.Id, attempt, outcome.Detail ?? "failed");
                    }
                    else
                    {
                        OutboxLog.Failed(_logger, channel.Name, message.Id, attempt, outcome.Detail ?? "failed");
                    }

                    break;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            OutboxLog.StoreFailed(_logger, channel.Name, ex.Message); // the row stays pending and is sent again
        }
        finally
        {
            lock (inflight)
            {
                inflight.Remove(message.Id);
            }

            concurrency.Release();
        }
    }

    /// <summary>200 ms doubling to 30 s.</summary>
    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(30_000, 200 * Math.Pow(2, Math.Min(attempt - 1, 10))));

    public override void Dispose()
    {
        foreach (var wake in _wake.Values)
        {
            wake.Dispose();
        }

        base.Dispose();
    }
}

internal static partial class OutboxLog
{
    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "{Channel}: delivered notification {Id} of incident {Incident} (attempt {Attempt})")]
    public static partial void Delivered(ILogger logger, string channel, long id, Guid incident, int attempt);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "{Channel}: notification {Id} failed (attempt {Attempt}): {Error}; retrying")]
    public static partial void Failed(ILogger logger, string channel, long id, int attempt, string error);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Critical, Message = "{Channel}: gave up on notification {Id} after {Attempts} attempts: {Error}")]
    public static partial void GaveUp(ILogger logger, string channel, long id, int attempts, string error);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Error, Message = "{Channel}: notification {Id} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string channel, long id, string reason);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Error, Message = "{Channel}: the outbox could not be read or updated: {Error}")]
    public static partial void StoreFailed(ILogger logger, string channel, string error);
}
