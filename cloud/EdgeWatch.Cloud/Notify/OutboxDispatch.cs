namespace EdgeWatch.Cloud.Notify;

/// <summary>
/// One channel loop's deliveries: those running, and those finished since the loop last read the outbox. A row read
/// just before its delivery was recorded still shows as pending, so a message finished since that read is not started
/// again (it would reach the person twice); the next read shows it as it is. Thread-safe.
/// </summary>
internal sealed class OutboxDispatch
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, Task?> _running = [];
    private readonly HashSet<long> _finished = [];

    /// <summary>Called just before the outbox is read: forgets what finished earlier and returns how many run.</summary>
    public int Looking()
    {
        lock (_lock)
        {
            _finished.Clear();
            return _running.Count;
        }
    }

    /// <summary>Claims <paramref name="id"/>; false while it runs or when it finished since <see cref="Looking"/>.</summary>
    public bool TryStart(long id)
    {
        lock (_lock)
        {
            if (_running.ContainsKey(id) || _finished.Contains(id))
            {
                return false;
            }

            _running[id] = null;
            return true;
        }
    }

    /// <summary>Keeps the delivery's task for shutdown, unless it has already finished.</summary>
    public void Started(long id, Task delivery)
    {
        lock (_lock)
        {
            if (_running.ContainsKey(id))
            {
                _running[id] = delivery;
            }
        }
    }

    public void Finished(long id)
    {
        lock (_lock)
        {
            _running.Remove(id);
            _finished.Add(id);
        }
    }

    public Task[] Pending
    {
        get
        {
            lock (_lock)
            {
                return [.. _running.Values.OfType<Task>()];
            }
        }
    }
}
