using System.Globalization;
using System.Text.RegularExpressions;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.Remote;

/// <summary>
/// Desired configuration from the cloud: validated as a whole, applied without a restart, persisted in the state
/// directory (so it survives a reboot) and reported back. A bad document is rejected with a reason per key and the
/// running configuration stays in force.
/// </summary>
public sealed partial class RemoteConfiguration
{
    private readonly FireSafetyEngine _engine;
    private readonly FireSafetyOptions _baseline;
    private readonly string _path;
    private readonly string _gateway;
    private readonly TimeProvider _time;
    private readonly ILogger<RemoteConfiguration> _logger;
    private readonly Lock _gate = new();

    public RemoteConfiguration(FireSafetyEngine engine, string stateDirectory, string gateway, TimeProvider time, ILogger<RemoteConfiguration> logger)
    {
        _engine = engine;
        _baseline = engine.Options;
        _path = Path.Combine(stateDirectory, "desired-config.json");
        _gateway = gateway;
        _time = time;
        _logger = logger;
    }

    public long RunningVersion { get; private set; }

    public IReadOnlyList<CameraConfig> Cameras { get; private set; } = [];

    /// <summary>Raised after an applied configuration that carries camera settings.</summary>
    public event Action<IReadOnlyList<CameraConfig>>? CamerasChanged;

    /// <summary>
    /// Applies the configuration persisted by an earlier run, if any. A file that can't be read (bad JSON, an I/O
    /// error) or that no longer validates is ignored: the gateway runs with its local configuration, and the problem
    /// is returned for the caller to raise as a <c>config</c> trouble. It never throws, so it can't keep the engine
    /// from starting.
    /// </summary>
    public string? LoadPersisted()
    {
        try
        {
            if (!Path.Exists(_path))
            {
                return null;
            }

            var desired = ProtocolJson.DeserializeDesiredConfig(File.ReadAllBytes(_path));
            var report = Apply(desired, persist: false);
            RemoteLog.Loaded(_logger, desired.Version, report.Applied);
            return report.Applied ? null : $"persisted configuration version {desired.Version} was refused: {string.Join("; ", report.Errors)}";
        }
        catch (Exception ex) when (ex is PayloadException or IOException or UnauthorizedAccessException)
        {
            RemoteLog.PersistedUnreadable(_logger, _path, ex.Message);
            return $"persisted configuration {Path.GetFileName(_path)} is unreadable ({ex.Message}); running with the local configuration";
        }
    }

    /// <summary>Validates and applies a desired configuration; returns the report to publish.</summary>
    public ReportedConfig Apply(DesiredConfig desired, bool persist = true)
    {
        lock (_gate)
        {
            var errors = Validate(desired, out var options);
            if (errors.Count == 0 && desired.Version < RunningVersion)
            {
                errors.Add($"version {desired.Version} is older than the running version {RunningVersion}");
            }

            if (errors.Count > 0)
            {
                RemoteLog.Rejected(_logger, desired.Version, string.Join("; ", errors));
                return Report(desired.Version, false, errors);
            }

            if (persist)
            {
                var tmp = _path + ".tmp";
                File.WriteAllBytes(tmp, ProtocolJson.Serialize(desired));
                File.Move(tmp, _path, overwrite: true);
            }

            _engine.ApplyOptions(options);
            Cameras = desired.Cameras ?? Cameras;
            RunningVersion = desired.Version;
            RemoteLog.Applied(_logger, desired.Version);
            if (desired.Cameras is not null)
            {
                CamerasChanged?.Invoke(desired.Cameras);
            }

            return Report(desired.Version, true, []);
        }
    }

    private ReportedConfig Report(long requested, bool applied, IReadOnlyList<string> errors) => new()
    {
        Gateway = _gateway,
        RunningVersion = RunningVersion,
        RequestedVersion = requested,
        Applied = applied,
        Errors = errors,
        At = _time.GetUtcNow(),
    };

    private List<string> Validate(DesiredConfig desired, out FireSafetyOptions options)
    {
        var errors = new List<string>();
        if (desired.V != ProtocolVersion.Current)
        {
            errors.Add($"v must be {ProtocolVersion.Current} (was {desired.V})");
        }

        if (desired.Version < 0)
        {
            errors.Add($"version must not be negative (was {desired.Version})");
        }

        // Overrides start from the gateway's own settings, so removing a key remotely restores the local value.
        var f = desired.FireSafety;
        options = new FireSafetyOptions
        {
            Debounce = f?.DebounceMs is { } d ? TimeSpan.FromMilliseconds(d) : _baseline.Debounce,
            HeatThresholdCelsius = f?.HeatThresholdCelsius ?? _baseline.HeatThresholdCelsius,
            HeatConfirmSamples = _baseline.HeatConfirmSamples,
            RateOfRiseCelsiusPerMinute = f?.RateOfRiseCelsiusPerMinute ?? _baseline.RateOfRiseCelsiusPerMinute,
            RateOfRiseWindow = _baseline.RateOfRiseWindow,
            HeatSampleInterval = _baseline.HeatSampleInterval,
            ProbeLostAfterFailures = _baseline.ProbeLostAfterFailures,
            ScanInterval = _baseline.ScanInterval,
            SilenceDuration = f?.SilenceSeconds is { } s ? TimeSpan.FromSeconds(s) : _baseline.SilenceDuration,
            SirenConfirmTimeout = f?.SirenConfirmMs is { } c ? TimeSpan.FromMilliseconds(c) : _baseline.SirenConfirmTimeout,
            SirenTestDuration = _baseline.SirenTestDuration,
        };
        var check = new FireSafetyOptionsValidator().Validate(null, options);
        if (check.Failed)
        {
            errors.AddRange(check.Failures.Select(e => "fireSafety: " + e));
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (camera, i) in (desired.Cameras ?? []).Select((c, i) => (c, i)))
        {
            var where = $"cameras[{i}]";
            if (string.IsNullOrWhiteSpace(camera.Id) || !ids.Add(camera.Id))
            {
                errors.Add($"{where}.id '{camera.Id}' is empty or repeated");
            }

            CheckSensitivity(camera.Sensitivity, $"{where}.sensitivity", errors);
            var zoneIds = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (zone, j) in camera.Zones.Select((z, j) => (z, j)))
            {
                var zw = $"{where}.zones[{j}]";
                if (string.IsNullOrWhiteSpace(zone.Id) || !zoneIds.Add(zone.Id))
                {
                    errors.Add($"{zw}.id '{zone.Id}' is empty or repeated");
                }

                CheckPolygon(zone.Polygon, $"{zw}.polygon", errors);
                CheckSensitivity(zone.Sensitivity, $"{zw}.sensitivity", errors);
                foreach (var window in zone.Armed.Where(w => !IsArmWindow(w)))
                {
                    errors.Add($"{zw}.armed '{window}' is not \"always\" or \"HH:mm-HH:mm\"");
                }
            }

            foreach (var (mask, k) in camera.PrivacyMasks.Select((m, k) => (m, k)))
            {
                CheckPolygon(mask, $"{where}.privacyMasks[{k}]", errors);
            }
        }

        return errors;
    }

    private static void CheckSensitivity(double? value, string where, List<string> errors)
    {
        if (value is { } v && (double.IsNaN(v) || v < 0 || v > 1))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{where} must be 0–1 (was {v})"));
        }
    }

    private static void CheckPolygon(IReadOnlyList<double[]>? polygon, string where, List<string> errors)
    {
        if (polygon is null || polygon.Count < 3)
        {
            errors.Add($"{where} needs at least 3 points");
            return;
        }

        if (polygon.Any(p => p.Length != 2 || p.Any(v => double.IsNaN(v) || v < 0 || v > 1)))
        {
            errors.Add($"{where} points must be [x, y] with 0 ≤ x, y ≤ 1");
        }
    }

    private static bool IsArmWindow(string window) => window == "always" || ArmWindow().IsMatch(window);

    [GeneratedRegex(@"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")]
    private static partial Regex ArmWindow();
}

internal static partial class RemoteLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "Remote configuration version {Version} applied")]
    public static partial void Applied(ILogger logger, long version);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Remote configuration version {Version} rejected; the running configuration stays: {Errors}")]
    public static partial void Rejected(ILogger logger, long version, string errors);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Persisted remote configuration version {Version} loaded (applied: {Applied})")]
    public static partial void Loaded(ILogger logger, long version, bool applied);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Error, Message = "Persisted remote configuration {Path} is unreadable and was ignored: {Reason}")]
    public static partial void PersistedUnreadable(ILogger logger, string path, string reason);
}
