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
    private readonly PersonAlerts _people;
    private readonly Dictionary<string, SemaphoreSlim> _wake;

    public OutboxWorker(IEnumerable<INotificationChannel> channels, INotificationOutbox outbox, PersonAlerts people, TimeProvider time, ILogger<OutboxWorker> logger)
    {
        _channels = [.. channels];
        _outbox = outbox;
        _people = people;
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
        var dispatch = new OutboxDispatch();
        using var concurrency = new SemaphoreSlim(channel.Concurrency);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Take only as many as there are free slots, most urgent first, and look again whenever a slot frees:
                // a fire that arrives while a modem works through a queue goes next, not after the queue.
                await concurrency.WaitAsync(stoppingToken).ConfigureAwait(false);
                var held = true;
                try
                {
                    var busy = dispatch.Looking();
                    var free = concurrency.CurrentCount + 1;
                    foreach (var message in await _outbox.DueAsync(channel.Name, _time.GetUtcNow(), busy + free, stoppingToken).ConfigureAwait(false))
                    {
                        if (!held && !concurrency.Wait(0, CancellationToken.None))
                        {
                            break;
                        }

                        held = true;
                        if (!dispatch.TryStart(message.Id))
                        {
                            continue; // still being delivered, or finished since the outbox was read
                        }

                        held = false;
                        dispatch.Started(message.Id, DeliverAsync(channel, message, concurrency, dispatch, stoppingToken));
                    }
                }
                catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
                {
                    OutboxLog.StoreFailed(_logger, channel.Name, ex.Message); // the database is back on the next poll
                }
                finally
                {
                    if (held)
                    {
                        concurrency.Release();
                    }
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

        await Task.WhenAll(dispatch.Pending).ConfigureAwait(false);
    }

    private async Task DeliverAsync(INotificationChannel channel, OutboxMessage message, SemaphoreSlim concurrency, OutboxDispatch dispatch, CancellationToken ct)
    {
        await Task.Yield();
        var attempt = message.Attempts + 1;
        try
        {
            if (!channel.Idempotent)
            {
                await _outbox.MarkInFlightAsync(message.Id, _time.GetUtcNow(), ct).ConfigureAwait(false);
            }

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
                    var fallback = _people.Next(message);
                    await _outbox.MarkAttemptFailedAsync(new AttemptFailure(message.Id, attempt, outcome.Detail ?? "refused", now, now, true, outcome.MaybeSent, fallback), ct).ConfigureAwait(false);
                    OutboxLog.Refused(_logger, channel.Name, message.Id, outcome.Detail ?? "refused");
                    FellBack(fallback);
                    break;
                default:
                    Interlocked.Increment(ref _failedAttempts);
                    var next = _people.Next(message);
                    if (await _outbox.MarkAttemptFailedAsync(new AttemptFailure(message.Id, attempt, outcome.Detail ?? "failed", now + Backoff(attempt), now, false, outcome.MaybeSent, next), ct).ConfigureAwait(false))
                    {
                        OutboxLog.GaveUp(_logger, channel.Name, message.Id, attempt, outcome.Detail ?? "failed");
                        FellBack(next);
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
            dispatch.Finished(message.Id);
            concurrency.Release();
            _wake[channel.Name].Release(); // a slot is free: look for the most urgent due message
        }
    }

    private void FellBack(IReadOnlyList<NewNotification> fallback)
    {
        foreach (var n in fallback)
        {
            OutboxLog.FellBack(_logger, n.Channel, PhoneNumber.Masked(n.Destination));
            if (_wake.TryGetValue(n.Channel, out var wake))
            {
                wake.Release();
            }
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

    [LoggerMessage(EventId = 4015, Level = LogLevel.Warning, Message = "Falling back to {Channel} for {Phone}")]
    public static partial void FellBack(ILogger logger, string channel, string phone);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Error, Message = "{Channel}: the outbox could not be read or updated: {Error}")]
    public static partial void StoreFailed(ILogger logger, string channel, string error);
}
