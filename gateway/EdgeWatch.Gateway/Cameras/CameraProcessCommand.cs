using System.Net.Sockets;
using EdgeWatch.Gateway.Motion;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.Cameras;

/// <summary>
/// <c>cameras --socket &lt;path&gt;</c>: the camera process. It connects to the gateway's socket, says hello, runs the
/// cameras the gateway configures (OpenCV, the ffmpeg readers, the detector, clips), reports every second, and ends
/// when the gateway closes the connection. Nothing it does can reach the fire path: it has no GPIO, no outbox and no
/// broker, and the gateway restarts it when it crashes, hangs or grows.
/// </summary>
public static partial class CameraProcessCommand
{
    /// <summary>Exit code when the OpenCV native runtime can't be loaded.</summary>
    public const int OpenCvMissing = 3;

    public const string Verb = "cameras";

    private static readonly TimeSpan StatusEvery = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(string[] args, TextWriter stderr)
    {
        if (args is not ["--socket", { Length: > 0 } socketPath])
        {
            await stderr.WriteLineAsync("usage: cameras --socket <path> (started by the gateway, which listens there)").ConfigureAwait(false);
            return 2;
        }

        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).AddFilter("Microsoft", LogLevel.Warning)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        var logger = loggers.CreateLogger("EdgeWatch.Cameras");
        if (OpenCvProblem() is { } problem)
        {
            await stderr.WriteLineAsync($"cameras: the OpenCV native runtime can't be loaded: {problem}").ConfigureAwait(false);
            return OpenCvMissing;
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            await stderr.WriteLineAsync($"cameras: can't connect to the gateway at {socketPath}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        using var link = new CameraLink(new NetworkStream(socket, ownsSocket: true));
        using var gone = new CancellationTokenSource();
        void Tell(CameraLinkMessage message)
        {
            try
            {
                link.Send(message);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
            {
                gone.Cancel(); // the gateway went away: end
            }
        }

        using var faultInjection = NativeCrash.ArmFromEnvironment();
        await link.SendAsync(new HelloMessage(Environment.ProcessId), gone.Token).ConfigureAwait(false);
        CameraAnalysis? analysis = null;
        using var status = new Timer(_ => Tell(new StatusMessage(analysis?.Status() ?? [])), null, StatusEvery, StatusEvery);
        try
        {
            while (await link.ReceiveAsync(gone.Token).ConfigureAwait(false) is { } message)
            {
                switch (message)
                {
                    case ConfigureMessage configure:
                        analysis ??= new CameraAnalysis(Tell, configure.ClipsDirectory, TimeProvider.System, logger);
                        analysis.Apply(configure.Cameras, configure.Settings);
                        break;
                    case SnapshotRequestMessage request:
                        analysis?.RequestSnapshot(request.Camera, request.Id);
                        break;
                    default:
                        Unexpected(logger, message.GetType().Name);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or InvalidDataException)
        {
            LinkLost(logger, ex.Message);
        }
        finally
        {
            analysis?.Dispose();
        }

        return 0;
    }

    private static string? OpenCvProblem()
    {
        try
        {
            _ = OpenCvSharp.Cv2.GetVersionString();

            // One analysis thread per camera. OpenCV's own pool would split each small operation across threads
            // that the other cameras' threads (and the fire process) need, and costs more than it saves here.
            OpenCvSharp.Cv2.SetNumThreads(1);
            return null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            return (ex.InnerException ?? ex).Message.Split('\n')[0];
        }
    }

    [LoggerMessage(EventId = 7100, Level = LogLevel.Warning, Message = "Camera process: unexpected {Message} from the gateway, ignored")]
    private static partial void Unexpected(ILogger logger, string message);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Camera process: the gateway closed the link ({Reason}); ending")]
    private static partial void LinkLost(ILogger logger, string reason);
}
