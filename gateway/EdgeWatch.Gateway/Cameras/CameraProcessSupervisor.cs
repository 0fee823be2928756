using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Motion;
using EdgeWatch.Gateway.Remote;
using EdgeWatch.Gateway.Uplink;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.Cameras;

/// <summary>
/// Runs the camera side as its own OS process and watches it. The gateway listens on <c>cameras.sock</c> in its state
/// directory, starts the camera process (<see cref="CameraProcessCommand"/>), configures it, and hands what it reports
/// to <see cref="CameraEvents"/>. A camera process that exits, crashes, stops reporting for
/// <see cref="CameraProcessOptions.HangTimeout"/> or grows past <see cref="CameraProcessOptions.MemoryLimitMb"/> is
/// killed and restarted with backoff, and shows as one <c>camera-process-failed</c> trouble on channel
/// <c>cameras</c> until a new one reports. OpenCV is never loaded into the gateway process.
/// </summary>
public sealed partial class CameraProcessSupervisor(
    IOptions<CamerasOptions> cameras, IOptions<CameraProcessOptions> options, CameraEvents events, RemoteConfiguration remote, FireSafetyEngine engine,
    IOptions<UplinkOptions> uplink, IOptions<GatewayOptions> gateway, TimeProvider time, ILogger<CameraProcessSupervisor> logger)
    : SupervisedService(time, logger)
{
    /// <summary>The channel and cause of the camera process's trouble.</summary>
    public const string TroubleChannel = "cameras";
    public const string TroubleCause = "camera-process-failed";

    private readonly Lock _gate = new();
    private readonly CameraSignalTroubles _signal = new(engine);
    private CameraLink? _link;
    private Dictionary<string, CameraStatus> _status = [];
    private int _processStarts;

    /// <summary>The running camera process's id; null while there is none.</summary>
    public int? ProcessId { get; private set; }

    /// <summary>How many camera processes were started.</summary>
    public int ProcessStarts => Volatile.Read(ref _processStarts);

    /// <summary>The last camera process failure; null before any.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>Each camera's counters as the running camera process last reported them.</summary>
    public IReadOnlyDictionary<string, CameraStatus> Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>Clips saved for motion events (path per event id).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<Guid, string> Clips => events.Clips;

    public long DisarmedMotion => events.DisarmedMotion;

    /// <summary>The zone ids of a locally configured camera, or null when there is no such camera.</summary>
    public IReadOnlyList<string>? ZoneIds(string cameraId) =>
        cameras.Value.Items.FirstOrDefault(c => c.Id == cameraId)?.Zones.Select(z => z.Id).ToList();

    /// <summary>Asks for a snapshot of the camera's next frame, published on <c>snapshot/{id}</c>; null for an unknown camera or no camera process.</summary>
    public Guid? RequestSnapshot(string cameraId)
    {
        if (cameras.Value.Items.All(c => c.Id != cameraId) || Volatile.Read(ref _link) is not { } link)
        {
            return null;
        }

        var id = Guid.CreateVersion7();
        _ = SendQuietly(link, new SnapshotRequestMessage(cameraId, id));
        return id;
    }

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (cameras.Value.Items.Count == 0)
        {
            return; // no cameras: no camera process
        }

        remote.CamerasChanged -= OnRemoteCameras;
        remote.CamerasChanged += OnRemoteCameras;
        var socketPath = Path.Combine(uplink.Value.ResolvedStateDirectory(gateway.Value.Id), "cameras.sock");
        CameraProcessConnection connection;
        try
        {
            connection = await CameraProcessConnection.StartAsync(socketPath, options.Value.Command, options.Value.StartTimeout, Time, started: p =>
            {
                Interlocked.Increment(ref _processStarts);
                ProcessId = p.Id;
                ProcessLog.Started(Logger, p.Id, p.StartInfo.FileName);
            }, stoppingToken).ConfigureAwait(false);
        }
        catch (CameraProcessFailedException ex)
        {
            ProcessId = null;
            throw Fail(ex.Message);
        }

        await using (connection.ConfigureAwait(false))
        {
            try
            {
                await ConfigureAsync(connection.Link, stoppingToken).ConfigureAwait(false);
                Volatile.Write(ref _link, connection.Link);
                await PumpAsync(connection, stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                Volatile.Write(ref _link, null);
                ProcessId = null;
                events.CloseOpenEvents();
            }
        }
    }

    private Task ConfigureAsync(CameraLink link, CancellationToken cancellationToken)
    {
        // The cloud's settings (zones, schedules, masks, sensitivity) override a local camera's; its source stays local.
        List<CameraOptions> merged = [.. cameras.Value.Items.Select(c => CameraMerge.WithRemote(c, remote.Cameras))];
        events.Configure(merged);
        var clips = Path.Combine(uplink.Value.ResolvedStateDirectory(gateway.Value.Id), "clips");
        return link.SendAsync(new ConfigureMessage(merged, clips), cancellationToken);
    }

    private async Task PumpAsync(CameraProcessConnection connection, CancellationToken stoppingToken)
    {
        var (link, process) = (connection.Link, connection.Process);
        var reported = false;
        while (true)
        {
            CameraLinkMessage? message;
            using (var hang = new CancellationTokenSource(options.Value.HangTimeout, Time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, hang.Token))
            {
                try
                {
                    message = await link.ReceiveAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (hang.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
                {
                    throw Fail($"the camera process {process.Id} hung: nothing from it for {options.Value.HangTimeout.TotalSeconds:0} s");
                }
                catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException)
                {
                    throw Fail($"the camera process {process.Id} broke the link: {ex.Message}");
                }
            }

            if (message is null)
            {
                throw Fail($"the camera process {process.Id} ended: {await connection.EndedAsync().ConfigureAwait(false)}");
            }

            if (message is StatusMessage status)
            {
                lock (_gate)
                {
                    _status = status.Cameras.ToDictionary(c => c.Camera);
                }

                CheckMemory(process);
                if (!reported)
                {
                    reported = true;
                    engine.ReportSystemTrouble(TroubleChannel, TroubleCause, false, null);
                    _signal.ClearAll();
                }
            }
            else if (message is CameraSignalMessage signal)
            {
                _signal.Handle(signal);
            }
            else
            {
                events.Handle(message);
            }
        }
    }

    private void CheckMemory(Process process)
    {
        var rss = CameraProcessLauncher.ResidentMb(process.Id);
        if (rss > options.Value.MemoryLimitMb)
        {
            throw Fail(string.Create(CultureInfo.InvariantCulture, $"the camera process {process.Id} used {rss:0} MB, over CameraProcess:MemoryLimitMb = {options.Value.MemoryLimitMb}"));
        }
    }

    private CameraProcessFailedException Fail(string detail)
    {
        LastFailure = detail;
        engine.ReportSystemTrouble(TroubleChannel, TroubleCause, true, detail);
        return new CameraProcessFailedException(detail);
    }

    private void OnRemoteCameras(IReadOnlyList<Protocol.CameraConfig> remoteCameras)
    {
        if (Volatile.Read(ref _link) is { } link)
        {
            _ = ConfigureQuietly(link);
        }
    }

    private async Task ConfigureQuietly(CameraLink link)
    {
        try
        {
            await ConfigureAsync(link, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            ProcessLog.SendFailed(Logger, ex.Message); // the pump sees the broken link and restarts the process
        }
    }

    private async Task SendQuietly(CameraLink link, CameraLinkMessage message)
    {
        try
        {
            await link.SendAsync(message, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            ProcessLog.SendFailed(Logger, ex.Message);
        }
    }

    private static partial class ProcessLog
    {
        [LoggerMessage(EventId = 7200, Level = LogLevel.Information, Message = "Camera process {Pid} started ({Command})")]
        public static partial void Started(ILogger logger, int pid, string command);

        [LoggerMessage(EventId = 7201, Level = LogLevel.Warning, Message = "Sending to the camera process failed: {Reason}")]
        public static partial void SendFailed(ILogger logger, string reason);
    }
}
