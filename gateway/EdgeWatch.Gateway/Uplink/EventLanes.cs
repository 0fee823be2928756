using System.Collections.Concurrent;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Protocol;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>
/// Events waiting for the uplink, in two lanes: fire ahead of trouble. Publishing never blocks.
/// Order is kept within each lane; a new fire alarm overtakes any trouble backlog.
/// </summary>
public sealed class EventLanes : IFireEventSink, IDisposable
{
    private readonly ConcurrentQueue<FireEvent> _fire = new();
    private readonly ConcurrentQueue<FireEvent> _trouble = new();
    private readonly SemaphoreSlim _available = new(0);

    public int FirePending => _fire.Count;
    public int TroublePending => _trouble.Count;

    public void Publish(FireEvent fireEvent)
    {
        (fireEvent.IsFireLane ? _fire : _trouble).Enqueue(fireEvent);
        _available.Release();
    }

    /// <summary>Waits for the next event, highest lane first.</summary>
    public async Task<FireEvent> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (_fire.TryDequeue(out var e) || _trouble.TryDequeue(out e))
            {
                return e;
            }
        }
    }

    public void Dispose() => _available.Dispose();
}
