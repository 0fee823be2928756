namespace EdgeWatch.Mqtt;

/// <summary>
/// Reconnect delays with "decorrelated jitter" (each delay is random between the minimum and three times the
/// previous one, capped), so thousands of gateways coming back after a broker restart do not arrive in lock-step.
/// Every EdgeWatch MQTT client reconnects this way.
/// </summary>
public sealed class ReconnectBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly Random _random;
    private TimeSpan _previous;

    public ReconnectBackoff(TimeSpan min, TimeSpan max, Random? random = null)
    {
        _min = min;
        _max = max;
        _random = random ?? Random.Shared;
        _previous = min;
    }

    public TimeSpan Next()
    {
        var upper = Math.Min(_max.TotalMilliseconds, _previous.TotalMilliseconds * 3);
        var next = TimeSpan.FromMilliseconds(_min.TotalMilliseconds + (_random.NextDouble() * Math.Max(0, upper - _min.TotalMilliseconds)));
        _previous = next;
        return next;
    }

    public void Reset() => _previous = _min;
}
