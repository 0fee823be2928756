namespace EdgeWatch.Protocol;

/// <summary>
/// The configuration the cloud wants a gateway to run (topic <c>config/desired</c>, retained). Every section is optional;
/// a missing section keeps the gateway's own settings. The gateway validates, applies without a restart, persists, and
/// answers on <c>config/reported</c>.
/// </summary>
public sealed record DesiredConfig
{
    public int V { get; init; } = ProtocolVersion.Current;

    /// <summary>Increases with every change; the gateway ignores a version older than the one it runs.</summary>
    public required long Version { get; init; }

    public FireSafetyConfig? FireSafety { get; init; }
    public IReadOnlyList<CameraConfig>? Cameras { get; init; }
}

/// <summary>Fire-safety settings that may be changed remotely (same meaning and ranges as the gateway's FireSafety section).</summary>
public sealed record FireSafetyConfig
{
    public double? DebounceMs { get; init; }
    public double? HeatThresholdCelsius { get; init; }
    public double? RateOfRiseCelsiusPerMinute { get; init; }
    public double? SilenceSeconds { get; init; }
    public double? SirenConfirmMs { get; init; }
}

/// <summary>Per-camera detection settings: zones, masks, schedules, sensitivity.</summary>
public sealed record CameraConfig
{
    public required string Id { get; init; }
    public double? Sensitivity { get; init; }
    public IReadOnlyList<ZoneConfig> Zones { get; init; } = [];

    /// <summary>Polygons blacked out before analysis and in every snapshot, as lists of [x, y] in 0–1 frame coordinates.</summary>
    public IReadOnlyList<double[][]> PrivacyMasks { get; init; } = [];
}

public sealed record ZoneConfig
{
    public required string Id { get; init; }

    /// <summary>Polygon as [x, y] points in 0–1 frame coordinates.</summary>
    public required IReadOnlyList<double[]> Polygon { get; init; }
    public double? Sensitivity { get; init; }

    /// <summary>Armed time windows in local time, for example "22:00-05:00", or "always".</summary>
    public IReadOnlyList<string> Armed { get; init; } = [];
}

/// <summary>The gateway's answer (topic <c>config/reported</c>, retained).</summary>
public sealed record ReportedConfig
{
    public int V { get; init; } = ProtocolVersion.Current;
    public required string Gateway { get; init; }

    /// <summary>The version the gateway now runs.</summary>
    public required long RunningVersion { get; init; }

    /// <summary>The version this report answers.</summary>
    public required long RequestedVersion { get; init; }
    public required bool Applied { get; init; }

    /// <summary>Why a desired configuration was rejected, naming each bad key.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
    public required DateTimeOffset At { get; init; }
}
