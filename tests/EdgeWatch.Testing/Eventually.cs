using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EdgeWatch.Testing;

public static class Eventually
{
    /// <summary>Waits for a condition that depends on real I/O (broker, HTTP, a child process); throws naming it after the timeout.</summary>
    /// <param name="output">What to show with the timeout, for example a child process's output.</param>
    public static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? output = null)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout)
            {
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}{(output is null ? "" : Environment.NewLine + output())}");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static string TempDirectory(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
