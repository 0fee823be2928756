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
        var stateDirectory = uplink.Value.ResolvedStateDirectory(gateway.Value.Id);
        var socketPath = Path.Combine(stateDirectory, "cameras.sock");
        File.Delete(socketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);

        using var process = Start(socketPath);
        Interlocked.Increment(ref _processStarts);
        ProcessId = process.Id;
        try
        {
            using var link = await ConnectAsync(listener, process, stoppingToken).ConfigureAwait(false);
            await ConfigureAsync(link, stoppingToken).ConfigureAwait(false);
            Volatile.Write(ref _link, link);
            await PumpAsync(link, process, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _link, null);
            ProcessId = null;
            events.CloseOpenEvents();
            Stop(process);
            File.Delete(socketPath);
        }
    }

    private Process Start(string socketPath)
    {
        var start = CameraProcessLauncher.StartInfo(options.Value.Command, socketPath);
        try
        {
            var process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null");
            CameraProcessLauncher.PreferForOutOfMemoryKill(process.Id);
            ProcessLog.Started(Logger, process.Id, start.FileName);
            return process;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw Fail($"the camera process could not be started ({start.FileName}): {ex.Message}");
        }
    }

    private async Task<CameraLink> ConnectAsync(Socket listener, Process process, CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(options.Value.StartTimeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        var accept = listener.AcceptAsync(linked.Token).AsTask();
        var exited = process.WaitForExitAsync(linked.Token);
        try
        {
            if (await Task.WhenAny(accept, exited).ConfigureAwait(false) == exited && !accept.IsCompletedSuccessfully)
            {
                await exited.ConfigureAwait(false);
                throw Fail($"the camera process {process.Id} ended before connecting: {ExitDescription(process)}");
            }

            var link = new CameraLink(new NetworkStream(await accept.ConfigureAwait(false), ownsSocket: true));
            if (await link.ReceiveAsync(linked.Token).ConfigureAwait(false) is not HelloMessage)
            {
                link.Dispose();
                throw Fail($"the camera process {process.Id} did not say hello");
            }

            return link;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            throw Fail($"the camera process {process.Id} did not connect within {options.Value.StartTimeout.TotalSeconds:0} s");
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

    private async Task PumpAsync(CameraLink link, Process process, CancellationToken stoppingToken)
    {
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
                await WaitForExitAsync(process, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                throw Fail($"the camera process {process.Id} ended: {ExitDescription(process)}");
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
                }
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

    private static async Task WaitForExitAsync(Process process, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // still running: it is killed on the way out
        }
    }

    private static string ExitDescription(Process process)
    {
        if (!process.HasExited)
        {
            return "its link closed while it still ran";
        }

        var code = process.ExitCode;
        return code switch
        {
            CameraProcessCommand.OpenCvMissing => "the OpenCV native runtime is missing (exit code 3)",
            > 128 and < 160 => string.Create(CultureInfo.InvariantCulture, $"killed by signal {code - 128}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"exit code {code}"),
        };
    }

    private void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true); // its ffmpeg readers go with it
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            ProcessLog.KillFailed(Logger, process.Id, ex.Message);
        }
    }

    private static partial class ProcessLog
    {
        [LoggerMessage(EventId = 7200, Level = LogLevel.Information, Message = "Camera process {Pid} started ({Command})")]
        public static partial void Started(ILogger logger, int pid, string command);

        [LoggerMessage(EventId = 7201, Level = LogLevel.Warning, Message = "Sending to the camera process failed: {Reason}")]
        public static partial void SendFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 7202, Level = LogLevel.Error, Message = "Camera process {Pid} could not be killed: {Reason}")]
        public static partial void KillFailed(ILogger logger, int pid, string reason);
    }
}

/// <summary>The camera process failed; the supervisor restarts it with backoff.</summary>
public sealed class CameraProcessFailedException(string message) : Exception(message);
