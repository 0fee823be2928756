using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.FireSafety;

/// <summary>
/// The group's alarm latch as it must survive a crash or a power cut: in alarm or silenced, since which alarm (the
/// first alarm event's id) and what caused it.
/// </summary>
public sealed record AlarmLatch(Guid AlarmId, GroupState State, string Channel, string? Household, string Cause, DateTimeOffset Since);

/// <summary>Where the engine keeps its latch. <see cref="Save"/> never blocks the caller on the disk.</summary>
public interface IAlarmLatchStore
{
    /// <summary>The latch left by the last run, or null; a problem reading it is returned, not thrown.</summary>
    (AlarmLatch? Latch, string? Problem) Load();

    /// <summary>Records the latch (null: the group is normal).</summary>
    void Save(AlarmLatch? latch);
}

/// <summary>
/// The latch in a small JSON file, replaced atomically (write a temporary file, fsync it, rename it over the old one)
/// on the latch writer's own thread: the engine hands over the newest state and goes on driving sirens, and a state
/// that is overtaken before it is written is simply skipped. A failed write is retried every second and logged.
/// </summary>
public sealed partial class AlarmLatchFile : IAlarmLatchStore, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Thread _thread;
    private readonly SemaphoreSlim _changed = new(0);
    private readonly ManualResetEventSlim _written = new(true);
    private (AlarmLatch? Latch, bool Pending) _next;
    private volatile bool _stopping;

    public AlarmLatchFile(string path, ILogger logger)
    {
        _path = path;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "edgewatch-alarm-latch" };
        _thread.Start();
    }

    public (AlarmLatch? Latch, string? Problem) Load()
    {
        try
        {
            if (!File.Exists(_path))
            {
                return (null, null);
            }

            var latch = JsonSerializer.Deserialize<AlarmLatch>(File.ReadAllBytes(_path), Json);
            return latch is null || latch.State == GroupState.Normal ? (null, null) : (latch, null);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // Unknown whether an alarm was latched: say so. The inputs still raise any alarm that is still there.
            return (null, $"alarm latch {Path.GetFileName(_path)} is unreadable ({ex.Message}); a latched alarm from before the restart may be lost");
        }
    }

    public void Save(AlarmLatch? latch)
    {
        lock (_gate)
        {
            _next = (latch, true);
            _written.Reset();
        }

        _changed.Release();
    }

    /// <summary>Waits until the last saved state is on disk.</summary>
    public bool Flush(TimeSpan timeout) => _written.Wait(timeout);

    private void Run()
    {
        while (!_stopping)
        {
            _changed.Wait(TimeSpan.FromSeconds(1));
            AlarmLatch? latch;
            lock (_gate)
            {
                if (!_next.Pending)
                {
                    continue;
                }

                latch = _next.Latch;
            }

            try
            {
                Write(latch);
                lock (_gate)
                {
                    if (ReferenceEquals(_next.Latch, latch))
                    {
                        _next = (latch, false);
                        _written.Set();
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                WriteFailed(_logger, _path, ex.Message); // kept pending: tried again within a second
            }
        }
    }

    private void Write(AlarmLatch? latch)
    {
        var tmp = _path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(f, latch ?? new AlarmLatch(Guid.Empty, GroupState.Normal, "", null, "", DateTimeOffset.MinValue), Json);
            f.Flush(flushToDisk: true);
        }

        File.Move(tmp, _path, overwrite: true);
    }

    public void Dispose()
    {
        Flush(TimeSpan.FromSeconds(2));
        _stopping = true;
        _changed.Release();
        if (_thread.Join(TimeSpan.FromSeconds(2)))
        {
            _changed.Dispose();
            _written.Dispose();
        }
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Error, Message = "Writing the alarm latch {Path} failed ({Error}); retrying. The sirens are not affected, but a crash now would not resume the alarm")]
    private static partial void WriteFailed(ILogger logger, string path, string error);
}
