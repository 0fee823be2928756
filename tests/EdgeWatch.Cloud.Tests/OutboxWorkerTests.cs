using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Storage;
using EdgeWatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeWatch.Cloud.Tests;

/// <summary>The outbox worker's own bookkeeping: what it starts, from what it read of the outbox.</summary>
public sealed class OutboxWorkerTests
{
    [Fact]
    public void AMessageFinishedSinceTheOutboxWasReadIsNotStartedAgainUntilTheNextRead()
    {
        var dispatch = new OutboxDispatch();
        Assert.Equal(0, dispatch.Looking());
        Assert.True(dispatch.TryStart(7));
        Assert.False(dispatch.TryStart(7)); // running
        Assert.Equal(1, dispatch.Looking());
        dispatch.Finished(7);
        Assert.False(dispatch.TryStart(7)); // the read that began before it finished may show it pending still
        Assert.Equal(0, dispatch.Looking());
        Assert.True(dispatch.TryStart(7)); // a read after it finished shows it as it is: a retry goes out
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task AnSmsDeliveredWhileTheOutboxWasBeingReadGoesOutOnce()
    {
        await using var rig = await CloudRig.StartAsync();
        var channel = new CountingChannel();
        var outbox = new StaleReadOutbox(channel);
        using var worker = new OutboxWorker([channel], outbox, rig.App.Services.GetRequiredService<PersonAlerts>(), TimeProvider.System, NullLogger<OutboxWorker>.Instance);
        channel.Wake = worker.Wake;
        await worker.StartAsync(default);
        try
        {
            await Eventually.WaitAsync(() => outbox.StaleReadReturned && outbox.Reads >= 3, TimeSpan.FromSeconds(20), "a read that raced the delivery, and one after it");
        }
        finally
        {
            await worker.StopAsync(default); // waits for every delivery it started
        }

        Assert.NotNull(outbox.DeliveredAt);
        Assert.Equal(1, channel.Sends);
    }

    /// <summary>A non-idempotent channel that counts its sends and, while sending, makes the worker read the outbox.</summary>
    private sealed class CountingChannel : INotificationChannel
    {
        private int _sends;

        public TaskCompletionSource ReadWhileSending { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Action? Wake { get; set; }

        public int Sends => Volatile.Read(ref _sends);

        public string Name => "sms";

        public int Concurrency => 2;

        public bool Idempotent => false;

        public async Task<DeliveryOutcome> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _sends) == 1)
            {
                Wake!();
                await ReadWhileSending.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }

            return DeliveryOutcome.Accepted();
        }
    }

    /// <summary>
    /// One pending message. A read that begins while it is being sent returns what it saw only after the delivery is
    /// recorded and the worker has finished with it: the way a database read that raced the delivery's update returns.
    /// </summary>
    private sealed class StaleReadOutbox(CountingChannel channel) : INotificationOutbox
    {
        private readonly TaskCompletionSource _deliveredCalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Completed by the racing read itself, synchronously: the worker's bookkeeping after the update runs to its end
        // on that thread before the read returns what it saw.
        private readonly TaskCompletionSource _deliveryRecorded = new();
        private readonly OutboxMessage _message = new(
            1, Guid.NewGuid(), Guid.NewGuid(), "sms", "84900010101", PersonAlerts.FirePriority, "{}", "k", "pending", 0,
            DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, null, null);
        private int _reads;

        public DateTimeOffset? DeliveredAt { get; private set; }

        public bool StaleReadReturned { get; private set; }

        public int Reads => Volatile.Read(ref _reads);

        public async Task<IReadOnlyList<OutboxMessage>> DueAsync(string channelName, DateTimeOffset now, int limit, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            var sending = channel.Sends == 1 && DeliveredAt is null;
            IReadOnlyList<OutboxMessage> seen = DeliveredAt is null ? [_message] : [];
            if (sending && !StaleReadReturned)
            {
                channel.ReadWhileSending.TrySetResult();
                await _deliveredCalled.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
                _deliveryRecorded.SetResult();
                StaleReadReturned = true;
            }

            return seen;
        }

        public Task MarkDeliveredAsync(long id, int attempts, DateTimeOffset at, CancellationToken cancellationToken)
        {
            DeliveredAt = at;
            _deliveredCalled.TrySetResult();
            return _deliveryRecorded.Task;
        }

        public Task MarkInFlightAsync(long id, DateTimeOffset at, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<bool> MarkAttemptFailedAsync(AttemptFailure failure, CancellationToken cancellationToken) => throw new InvalidOperationException(failure.Failure);

        public Task<AlarmStored> InsertAlarmAsync(FireEvent alarm, DateTimeOffset receivedAt, Func<Guid, IncidentPlan> plan, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<DateTimeOffset?> NextDueAsync(string channelName, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<UnreachedPerson>> UnreachedAsync(Guid incident, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<OutboxMessage>> ListNotificationsAsync(Guid? incident, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
