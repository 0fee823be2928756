namespace EdgeWatch.Gateway.Uplink;

/// <summary>
/// Whether the outbox is refusing writes, from both writers (fire and trouble through the
/// <see cref="DurableEventWriter"/>, the lower lanes through the <see cref="LowerLaneWriter"/>). The gateway raises
/// one <c>storage</c> trouble while any of them fails and clears it when all of them work again.
/// </summary>
public sealed class StorageFaults
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _failing = [];

    /// <summary>Raised when the outbox starts failing (the first error) and when it works again (null).</summary>
    public event Action<string?>? Changed;

    /// <summary>The first failing writer's error now; null when every writer succeeds.</summary>
    public string? Current
    {
        get
        {
            lock (_gate)
            {
                return _failing.Values.FirstOrDefault();
            }
        }
    }

    /// <summary>One writer's state: its error, or null when its last write succeeded.</summary>
    public void Report(string writer, string? error)
    {
        string? raised = null;
        bool changed;
        lock (_gate)
        {
            var before = _failing.Count;
            if (error is null)
            {
                _failing.Remove(writer);
            }
            else
            {
                _failing.TryAdd(writer, error);
            }

            changed = (before == 0) != (_failing.Count == 0);
            if (changed && _failing.Count > 0)
            {
                raised = error;
            }
        }

        if (changed)
        {
            Changed?.Invoke(raised);
        }
    }
}
