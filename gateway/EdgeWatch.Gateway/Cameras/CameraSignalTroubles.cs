using EdgeWatch.Gateway.FireSafety;

namespace EdgeWatch.Gateway.Cameras;

/// <summary>
/// A camera whose picture keeps failing (<see cref="Motion.SignalWatch"/>) shows as a trouble on channel
/// <c>cameras.{id}</c>: <c>camera-frozen</c>, <c>camera-no-picture</c> (a flat grey or black picture) or
/// <c>camera-torn</c>, cleared when the picture is good again. A new camera process looks at every picture afresh,
/// so the troubles an earlier one raised are cleared when it first reports (and raised again if they hold).
/// </summary>
public sealed class CameraSignalTroubles(FireSafetyEngine engine)
{
    private readonly Lock _gate = new();
    private readonly HashSet<(string Channel, string Cause)> _on = [];

    /// <summary>The trouble channel of a camera.</summary>
    public static string Channel(string camera) => $"cameras.{camera}";

    /// <summary>The trouble cause of a picture fault.</summary>
    public static string Cause(string fault) => fault switch
    {
        "frozen" => "camera-frozen",
        "signal-loss" => "camera-no-picture",
        "torn" => "camera-torn",
        _ => $"camera-{fault}",
    };

    public void Handle(CameraSignalMessage message)
    {
        var key = (Channel(message.Camera), Cause(message.Fault));
        lock (_gate)
        {
            if (message.On ? _on.Add(key) : _on.Remove(key))
            {
                engine.ReportSystemTrouble(key.Item1, key.Item2, message.On,
                    message.On ? FormattableString.Invariant($"{message.Fault} since {message.Seconds:0} s into the stream") : null);
            }
        }
    }

    /// <summary>Clears every trouble raised so far (a new camera process reports afresh).</summary>
    public void ClearAll()
    {
        lock (_gate)
        {
            foreach (var (channel, cause) in _on)
            {
                engine.ReportSystemTrouble(channel, cause, false, null);
            }

            _on.Clear();
        }
    }
}
