using EdgeWatch.Gateway.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeWatch.Gateway.Tests;

public class SupervisedServiceTests
{
    private sealed class FailsTwice(TimeProvider time) : SupervisedService(time, NullLogger.Instance)
    {
        private int _runs;
        public int Runs => Volatile.Read(ref _runs);
        public TaskCompletionSource Third { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task RunAsync(CancellationToken stoppingToken)
        {
            if (Interlocked.Increment(ref _runs) <= 2)
            {
                throw new InvalidOperationException("boom");
            }

            Third.TrySetResult();
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
    }

    [Fact]
    public async Task AFailingServiceIsRestartedAfterABackoffAndNeverFaultsTheHost()
    {
        var time = new FakeTimeProvider();
        using var service = new FailsTwice(time) { RestartDelay = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4)) };
        await service.StartAsync(CancellationToken.None);

        // ExecuteAsync runs on the thread pool.
        Assert.True(SpinWait.SpinUntil(() => service.Restarts == 1, TimeSpan.FromSeconds(5)), "the first failure was not caught");
        Assert.Equal(1, service.Runs);

        // Not restarted before the first delay has passed.
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, service.Runs);

        // Delays are at most the cap; within two caps both restarts have happened.
        for (var i = 0; i < 80 && !service.Third.Task.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Yield();
        }

        await service.Third.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(3, service.Runs);
        Assert.Equal(2, service.Restarts);
        Assert.False(service.ExecuteTask!.IsFaulted);

        await service.StopAsync(CancellationToken.None);
        Assert.True(service.ExecuteTask.IsCompletedSuccessfully, "a stop is not a failure");
    }
}
