namespace EdgeWatch.Gateway.FireSafety;

/// <summary>
/// The ISO 8201 / ANSI S3.41 temporal-three evacuation signal: three 0.5 s tones separated by 0.5 s,
/// then 1.5 s of silence; a 4 s cycle that repeats.
/// </summary>
public static class TemporalThree
{
    public static IReadOnlyList<(bool On, TimeSpan Duration)> Steps { get; } =
    [
        (true, TimeSpan.FromMilliseconds(500)),
        (false, TimeSpan.FromMilliseconds(500)),
        (true, TimeSpan.FromMilliseconds(500)),
        (false, TimeSpan.FromMilliseconds(500)),
        (true, TimeSpan.FromMilliseconds(500)),
        (false, TimeSpan.FromMilliseconds(1500)),
    ];

    public static TimeSpan Cycle { get; } = TimeSpan.FromSeconds(4);
}
