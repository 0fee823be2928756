using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EdgeWatch.Testing;

namespace EdgeWatch.Benchmarks;

/// <summary>
/// <c>ready [--runs 5]</c>: the time from starting the gateway process (Release build, simulated board with 8
/// households, no cameras, no broker) to its <c>READY=1</c> on <c>NOTIFY_SOCKET</c>, as systemd sees it. Target: 3 s.
/// The baseline, measured in the same run, is the same binary started and ended at once (<c>analyze</c> with no file):
/// the runtime's own start on this machine.
/// </summary>
internal static class ReadyBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = BenchmarkHelpers.Arg(args, "--runs", 5);
        var dll = Path.Combine(Repo.Root, "gateway", "EdgeWatch.Gateway", "bin", "Release", "net10.0", "EdgeWatch.Gateway.dll");
        if (!File.Exists(dll))
        {
            await Console.Error.WriteLineAsync($"ready: {dll} is missing; build with -c Release first").ConfigureAwait(false);
            return 2;
        }

        var ready = new List<double>();
        var baseline = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            baseline.Add(await BaselineAsync(dll).ConfigureAwait(false));
            ready.Add(await ReadyAsync(dll, i).ConfigureAwait(false));
            await Console.Error.WriteLineAsync($"ready: run {i + 1}: READY=1 after {ready[^1]:0} ms (process start alone {baseline[^1]:0} ms)").ConfigureAwait(false);
        }

        ready.Sort();
        baseline.Sort();
        var median = ready[ready.Count / 2];
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            bench = "ready",
            runs,
            households = 8,
            ready_ms = new { median = Math.Round(median), max = Math.Round(ready[^1]) },
            baseline_process_ms = new { median = Math.Round(baseline[baseline.Count / 2]), max = Math.Round(baseline[^1]) },
            target_ms = 3000,
            targets_met = ready[^1] <= 3000,
        }));
        return 0;
    }

    private static async Task<double> ReadyAsync(string dll, int run)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"edgewatch-ready-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var socketPath = Path.Combine(dir, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--Gateway:Site=town", $"--Gateway:Id=gw-r{run}", "--Gateway:Group=g1", $"--Uplink:StateDirectory={dir}", "--Mqtt:Enabled=false", "--Hardware:Profile=rpi4-mcp23017" })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["NOTIFY_SOCKET"] = socketPath;
        foreach (var line in File.ReadLines(Path.Combine(Repo.Root, "gateway", "edgewatch-gateway.service")).Where(l => l.StartsWith("Environment=DOTNET_", StringComparison.Ordinal)))
        {
            var setting = line["Environment=".Length..].Split('=', 2);
            psi.Environment[setting[0]] = setting[1]; // the unit's runtime settings
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (Encoding.ASCII.GetString(buffer, 0, n).Split('\n').Contains("READY=1"))
                {
                    return clock.Elapsed.TotalMilliseconds;
                }
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<double> BaselineAsync(string dll)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo("dotnet", [dll, "analyze"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        return clock.Elapsed.TotalMilliseconds;
    }
}
