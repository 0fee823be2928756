using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace EdgeWatch.Gateway.Cameras;

/// <summary>
/// One running camera process and its link: listens on a Unix socket, starts the process, waits for its hello.
/// Disposing kills the process with its ffmpeg readers and removes the socket. Used by the gateway's supervisor, and
/// by the <c>analyze</c> command and the <c>motion</c> benchmark, so that what is measured is what ships.
/// </summary>
public sealed class CameraProcessConnection : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _socketPath;

    private CameraProcessConnection(Socket listener, string socketPath, Process process, CameraLink link)
    {
        _listener = listener;
        _socketPath = socketPath;
        Process = process;
        Link = link;
    }

    public Process Process { get; }
    public CameraLink Link { get; }

    /// <exception cref="CameraProcessFailedException">The process could not be started, ended, or did not say hello within <paramref name="startTimeout"/>.</exception>
    public static async Task<CameraProcessConnection> StartAsync(string socketPath, string? command, TimeSpan startTimeout, TimeProvider time, Action<Process>? started = null, CancellationToken cancellationToken = default)
    {
        File.Delete(socketPath);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Process? process = null;
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(1);
            var start = CameraProcessLauncher.StartInfo(command, socketPath);
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null");
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                throw new CameraProcessFailedException($"the camera process could not be started ({start.FileName}): {ex.Message}");
            }

            CameraProcessLauncher.PreferForOutOfMemoryKill(process.Id);
            started?.Invoke(process);
            var link = await ConnectAsync(listener, process, startTimeout, time, cancellationToken).ConfigureAwait(false);
            return new CameraProcessConnection(listener, socketPath, process, link);
        }
        catch
        {
            if (process is not null)
            {
                Kill(process);
                process.Dispose();
            }

            listener.Dispose();
            File.Delete(socketPath);
            throw;
        }
    }

    private static async Task<CameraLink> ConnectAsync(Socket listener, Process process, TimeSpan startTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(startTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var accept = listener.AcceptAsync(linked.Token).AsTask();
        var exited = process.WaitForExitAsync(linked.Token);
        try
        {
            if (await Task.WhenAny(accept, exited).ConfigureAwait(false) == exited && !accept.IsCompletedSuccessfully)
            {
                await exited.ConfigureAwait(false);
                throw new CameraProcessFailedException($"the camera process {process.Id} ended before connecting: {ExitDescription(process)}");
            }

            var link = new CameraLink(new NetworkStream(await accept.ConfigureAwait(false), ownsSocket: true));
            if (await link.ReceiveAsync(linked.Token).ConfigureAwait(false) is not HelloMessage)
            {
                link.Dispose();
                throw new CameraProcessFailedException($"the camera process {process.Id} did not say hello");
            }

            return link;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new CameraProcessFailedException($"the camera process {process.Id} did not connect within {startTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Why the process ended, once its link closed (waiting up to 2 s for it to exit).</summary>
    public async Task<string> EndedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await Process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // still running: it is killed on disposal
        }

        return ExitDescription(Process);
    }

    private static string ExitDescription(Process process)
    {
        if (!process.HasExited)
        {
            return "its link closed while it still ran";
        }

        return process.ExitCode switch
        {
            CameraProcessCommand.OpenCvMissing => "camera analysis unavailable: the OpenCV native runtime is missing (exit code 3)",
            > 128 and < 160 and var code => string.Create(CultureInfo.InvariantCulture, $"killed by signal {code - 128}"),
            var code => string.Create(CultureInfo.InvariantCulture, $"exit code {code}"),
        };
    }

    private static void Kill(Process process)
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
            // it ended meanwhile
        }
    }

    public ValueTask DisposeAsync()
    {
        Link.Dispose();
        Kill(Process);
        Process.Dispose();
        _listener.Dispose();
        try
        {
            File.Delete(_socketPath);
        }
        catch (IOException)
        {
            // its directory is gone already
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>The camera process failed; the supervisor restarts it with backoff.</summary>
public sealed class CameraProcessFailedException(string message) : Exception(message);
