using EdgeWatch.Gateway.FireSafety;

namespace EdgeWatch.Gateway.Tests;

/// <summary>The dedicated alarm clock is a real clock, so these wait on real (short) time.</summary>
[Trait("Category", "Integration")]
public sealed class FireSafetyClockTests : IDisposable
{
    private readonly FireSafetyClock _clock = new();

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task OneShotTimerFiresOnTheClockThread()
    {
        var fired = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = _clock.CreateTimer(_ => fired.TrySetResult(Thread.CurrentThread.Name), null, TimeSpan.FromMilliseconds(20), Timeout.InfiniteTimeSpan);
        Assert.Equal("edgewatch-fire-clock", await fired.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task TimersFireInDueOrder()
    {
        var order = new List<int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var late = _clock.CreateTimer(_ => { lock (order) { order.Add(2); } done.TrySetResult(); }, null, TimeSpan.FromMilliseconds(60), Timeout.InfiniteTimeSpan);
        using var early = _clock.CreateTimer(_ => { lock (order) { order.Add(1); } }, null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([1, 2], order);
    }

    [Fact]
    public async Task PeriodicTimerRepeatsUntilDisposed()
    {
        var count = 0;
        var three = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var timer = _clock.CreateTimer(_ => { if (Interlocked.Increment(ref count) == 3) { three.TrySetResult(); } }, null, TimeSpan.Zero, TimeSpan.FromMilliseconds(10));
        await three.Task.WaitAsync(TimeSpan.FromSeconds(5));
        timer.Dispose();
        var after = Volatile.Read(ref count);
        // A sentinel due after several more periods: the clock fires in due order, so once it has run, any further tick would have too.
        var sentinel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var s = _clock.CreateTimer(_ => sentinel.TrySetResult(), null, TimeSpan.FromMilliseconds(60), Timeout.InfiniteTimeSpan);
        await sentinel.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.InRange(Volatile.Read(ref count), after, after + 1);
    }

    [Fact]
    public async Task RescheduledTimerFiresOnlyAtItsNewTime()
    {
        var fired = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = _clock.CreateTimer(_ => { Interlocked.Increment(ref fired); done.TrySetResult(); }, null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
        timer.Change(TimeSpan.FromMilliseconds(80), Timeout.InfiniteTimeSpan);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var sentinel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var s = _clock.CreateTimer(_ => sentinel.TrySetResult(), null, TimeSpan.FromMilliseconds(50), Timeout.InfiniteTimeSpan);
        await sentinel.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, fired);
    }

    [Fact]
    public async Task ThrowingCallbackDoesNotStopTheClock()
    {
        using var bad = _clock.CreateTimer(_ => throw new InvalidOperationException("boom"), null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var good = _clock.CreateTimer(_ => fired.TrySetResult(), null, TimeSpan.FromMilliseconds(20), Timeout.InfiniteTimeSpan);
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, _clock.Faults);
    }
}
