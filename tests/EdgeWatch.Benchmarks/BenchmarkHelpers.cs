using System.Globalization;

namespace EdgeWatch.Benchmarks;

/// <summary>What every benchmark needs: its numeric options, and waits that fail loudly.</summary>
internal static class BenchmarkHelpers
{
    /// <summary>A positive integer option (<c>--cycles 100</c>), or the fallback.</summary>
    public static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
    }

    /// <summary>Polls every 50 ms; a timeout throws, naming the benchmark, what it waited for and the diagnostics.</summary>
    public static async Task WaitAsync(string bench, Func<bool> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{bench}: timed out waiting for {what}. {diagnostics?.Invoke()}");
            }

            await Task.Delay(50);
        }
    }
}
