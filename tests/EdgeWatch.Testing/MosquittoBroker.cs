using System.Diagnostics;
using System.Net.Sockets;

namespace EdgeWatch.Testing;

/// <summary>
/// Debian's Mosquitto on a free loopback port, started by the test itself (test.sh installs the package). Can be killed
/// (SIGKILL, as a crash) and started again on the same port, optionally with an ACL file.
/// </summary>
public sealed class MosquittoBroker : IDisposable
{
    public const string Binary = "/usr/sbin/mosquitto";
    private readonly string _dir;
    private Process? _process;

    public MosquittoBroker(string? aclFile = null)
        : this(Eventually.FreePort())
    {
        var conf = Path.Combine(_dir, "mosquitto.conf");
        File.WriteAllLines(conf,
        [
            $"listener {Port} 127.0.0.1",
            "allow_anonymous true",
            "persistence false",
            "max_queued_messages 1000000",
            "max_inflight_messages 100",
            "log_dest none",
            .. aclFile is null ? Array.Empty<string>() : [$"acl_file {aclFile}"],
        ]);
        ConfigFile = conf;
    }

    private MosquittoBroker(int port)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: run ./test.sh, which installs Debian's mosquitto package");
        }

        Port = port;
        _dir = Eventually.TempDirectory("edgewatch-mosquitto");
        ConfigFile = Path.Combine(_dir, "mosquitto.conf");
    }

    /// <summary>
    /// Mosquitto with a configuration written elsewhere (the one <c>site init</c> writes), on <paramref name="port"/> on
    /// loopback; <c>user root</c> is added, since Mosquitto otherwise drops to its own user before it reads the keys.
    /// </summary>
    public static MosquittoBroker WithConfiguration(string configuration, int port)
    {
        var broker = new MosquittoBroker(port);
        var lines = File.ReadAllLines(configuration).Select(l => l.StartsWith("listener ", StringComparison.Ordinal) ? $"listener {port} 127.0.0.1" : l);
        File.WriteAllLines(broker.ConfigFile, ["user root", "log_dest none", .. lines]);
        return broker;
    }

    public int Port { get; }
    public string ConfigFile { get; }
    public bool Running => _process is { HasExited: false };

    public async Task StartAsync()
    {
        _process = Process.Start(new ProcessStartInfo(Binary, ["-c", ConfigFile]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("mosquitto did not start");
        var sw = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (sw.Elapsed < TimeSpan.FromSeconds(10) && !_process.HasExited)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Kills the broker as a crash would (SIGKILL).</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }
}
