using System.Diagnostics;
using System.Globalization;

namespace EdgeWatch.Testing;

/// <summary>
/// Debian's rtsp-server-perl on loopback, fed by an ffmpeg publisher looping a clip as H.264: a real RTSP camera for
/// tests. The publisher can be stopped and started to make the camera go silent.
/// </summary>
public sealed class RtspServer : IDisposable
{
    public const string Binary = "/usr/bin/rtsp-server-perl";
    private readonly Process _server;
    private readonly string _clip;
    private readonly int _sourcePort;
    private Process? _publisher;

    public RtspServer(string clip)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: run ./test.sh, which installs Debian's rtsp-server-perl");
        }

        _clip = clip;
        ClientPort = Eventually.FreePort();
        _sourcePort = Eventually.FreePort();
        var rtp = 30000 + (Environment.ProcessId % 2000 * 10);
        _server = Process.Start(new ProcessStartInfo(Binary,
            ["-c", ClientPort.ToString(CultureInfo.InvariantCulture), "-s", _sourcePort.ToString(CultureInfo.InvariantCulture),
             "--client_listen_address", "127.0.0.1", "--source_listen_address", "127.0.0.1", "--rtp_start_port", rtp.ToString(CultureInfo.InvariantCulture), "-l", "1"])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
    }

    public int ClientPort { get; }
    public string Url => $"rtsp://127.0.0.1:{ClientPort}/cam";

    public async Task StartPublishingAsync()
    {
        await Eventually.WaitAsync(() => CanConnect(_sourcePort), TimeSpan.FromSeconds(10), "rtsp-server-perl to listen");
        _publisher = Process.Start(new ProcessStartInfo("ffmpeg",
            ["-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i", _clip, "-c:v", "libx264", "-preset", "ultrafast",
             "-tune", "zerolatency", "-g", "5", "-an", "-f", "rtsp", $"rtsp://127.0.0.1:{_sourcePort}/cam"])
        { RedirectStandardError = true, UseShellExecute = false })!;
        _publisher.BeginErrorReadLine();
    }

    public void StopPublishing()
    {
        if (_publisher is { HasExited: false } p)
        {
            p.Kill();
            p.WaitForExit();
        }
    }

    private static bool CanConnect(int port)
    {
        try
        {
            using var c = new System.Net.Sockets.TcpClient();
            c.Connect("127.0.0.1", port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        StopPublishing();
        _publisher?.Dispose();
        if (!_server.HasExited)
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit();
        }

        _server.Dispose();
    }
}
