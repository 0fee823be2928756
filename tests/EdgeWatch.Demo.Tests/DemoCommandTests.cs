using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using EdgeWatch.Cloud.Notify;

namespace EdgeWatch.Demo.Tests;

public class DemoCommandTests
{
    [Fact]
    [Trait("Category", "Integration")]
    public async Task DemoStartsAndATrippedDetectorReachesTheWebhook()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "EdgeWatch.Demo.dll");
        Assert.True(File.Exists(dll), $"missing {dll}");
        var port = Eventually.FreePort();
        var psi = new ProcessStartInfo("dotnet", [dll, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string Output() { lock (output) { return output.ToString(); } }

        try
        {
            await Eventually.WaitAsync(() => Output().Contains("Ctrl+C stops everything", StringComparison.Ordinal) || process.HasExited, TimeSpan.FromSeconds(60), "the demo banner");
            Assert.False(process.HasExited, Output());
            Assert.Contains($"http://127.0.0.1:{port}", Output());
            Assert.Matches(@"mqtt://127\.0\.0\.1:\d+", Output());

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var trip = await http.PostAsync(new Uri("/demo/trip?gateway=gw-g2&channel=h4.call-point.inside", UriKind.Relative), null);
            Assert.True(trip.IsSuccessStatusCode);

            Notification[]? received = [];
            await Eventually.WaitAsync(() =>
            {
                received = http.GetFromJsonAsync<Notification[]>(new Uri("/demo/notifications", UriKind.Relative)).GetAwaiter().GetResult();
                return received is { Length: > 0 };
            }, TimeSpan.FromSeconds(15), "the demo webhook to receive the alarm");
            var n = Assert.Single(received!);
            Assert.Equal("g2", n.Group);
            Assert.Equal("h4", n.Household);
            Assert.Equal(16, n.Members.Count);
            await Eventually.WaitAsync(() => Output().Contains("NOTIFY group g2", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "the NOTIFY line");

            var badTrip = await http.PostAsync(new Uri("/demo/trip?gateway=gw-g9&channel=h1.smoke", UriKind.Relative), null);
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, badTrip.StatusCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                // Ctrl+C: the demo must stop cleanly.
                using var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill!.WaitForExitAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                await process.WaitForExitAsync(timeout.Token);
            }
        }

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("Stopping the demo site", Output());
    }

    [Fact]
    public async Task DemoRejectsAnUnknownArgument()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "EdgeWatch.Demo.dll");
        using var process = Process.Start(new ProcessStartInfo("dotnet", [dll, "--prot", "1"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var err = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--prot", err);
    }
}
