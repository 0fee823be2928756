using System.Text.Json;

namespace EdgeWatch.Gateway.Remote;

/// <summary>
/// Manual arm/disarm overrides per camera and zone, set by the <c>arm</c> and <c>disarm</c> commands and persisted in the
/// state directory. A zone with no override follows its schedule.
/// </summary>
public sealed class ArmingState
{
    private readonly string _path;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, bool> _overrides;

    public ArmingState(string stateDirectory)
    {
        _path = Path.Combine(stateDirectory, "arming.json");
        _overrides = File.Exists(_path)
            ? JsonSerializer.Deserialize<Dictionary<string, bool>>(File.ReadAllText(_path)) ?? []
            : [];
    }

    private static string Key(string camera, string? zone) => zone is null ? camera : $"{camera}/{zone}";

    /// <summary>The override for a zone (or the whole camera), or null to follow the schedule.</summary>
    public bool? Override(string camera, string zone)
    {
        lock (_gate)
        {
            return _overrides.TryGetValue(Key(camera, zone), out var z) ? z : _overrides.TryGetValue(camera, out var c) ? c : null;
        }
    }

    public void Set(string camera, string? zone, bool armed)
    {
        lock (_gate)
        {
            if (zone is null)
            {
                foreach (var key in _overrides.Keys.Where(k => k.StartsWith(camera + "/", StringComparison.Ordinal)).ToList())
                {
                    _overrides.Remove(key);
                }
            }

            _overrides[Key(camera, zone)] = armed;
            var tmp = _path + ".tmp";
            File.WriteAllText(tmp, JsonSerializer.Serialize(_overrides));
            File.Move(tmp, _path, overwrite: true);
        }
    }
}
