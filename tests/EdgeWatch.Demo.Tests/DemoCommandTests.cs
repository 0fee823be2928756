using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using EdgeWatch.Cloud.Notify;

namespace EdgeWatch.Demo.Tests;

public class DemoCommandTests
{
    /// <summary>
    /// Runs the demo from a folder outside the repository with no EDGEWATCH_SAMPLES, as a newcomer's `dotnet run` does:
    /// the demo must find the sample video in the repository's .cache/samples (put there by demo.sh or test.sh) itself.
    /// </summary>
    [Theory]
    [Trait("Category", "Integration")]
    [InlineData("vi")]
    [InlineData("en")]
    public async Task DemoStartsWithCamerasFromAnyFolderAndATrippedDetectorReachesTheWebhook(string language)
    {
        var texts = DemoTexts.For(language);
        var dll = Path.Combine(AppContext.BaseDirectory, "EdgeWatch.Demo.dll");
        Assert.True(File.Exists(dll), $"missing {dll}");
        Assert.True(File.Exists(Path.Combine(Repo.Root, ".cache", "samples", "vtest.avi")), "run ./test.sh, which unpacks the sample video into .cache/samples");
        var port = Eventually.FreePort();
        string[] args = language == "vi"
            ? [dll, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]
            : [dll, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--lang", language];
        var psi = new ProcessStartInfo("dotnet", args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        psi.Environment.Remove("EDGEWATCH_SAMPLES");
        using var process = Process.Start(psi)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string Output() { lock (output) { return output.ToString(); } }

        try
        {
            await Eventually.WaitAsync(() => Output().Contains(texts.CtrlC, StringComparison.Ordinal) || process.HasExited, TimeSpan.FromSeconds(60), "the demo banner");
            Assert.False(process.HasExited, Output());
            Assert.Contains($"http://127.0.0.1:{port}", Output());
            Assert.Matches(@"mqtt://127\.0\.0\.1:\d+", Output());
            Assert.Contains(texts.WithCameras, Output());
            Assert.DoesNotContain(texts.MissingPackages, Output());

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
            Assert.All(n.Members, m => Assert.StartsWith("+84 ", m.Phone, StringComparison.Ordinal));
            var notifyLine = language == "vi" ? "THÔNG BÁO tổ g2, hộ h4" : "NOTIFY group g2 household h4";
            await Eventually.WaitAsync(() => Output().Contains(notifyLine, StringComparison.Ordinal), TimeSpan.FromSeconds(5), "the notification line");
            Assert.Contains(texts.Cause("call-point"), Output());

            // Every member of the group is reached, by name: by Zalo through the demo's ZNS service, the SMS-only
            // members by SMS through its emulated modem (3 s per message, like a real one), and those who read mail
            // first by email through its SMTP server.
            var zalo = n.Members.Where(m => m.Channels[0] == "zns").ToList();
            var sms = n.Members.Where(m => m.Channels[0] == "sms").ToList();
            Assert.NotEmpty(sms);
            await Eventually.WaitAsync(
                () => http.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>(new Uri("/demo/zns", UriKind.Relative)).GetAwaiter().GetResult()!.Count >= zalo.Count,
                TimeSpan.FromSeconds(15), "a Zalo message to every member on Zalo");
            // The ZNS service has them; the demo prints each one once its channel has the answer, a moment later.
            await Eventually.WaitAsync(
                () => zalo.All(m => Output().Contains(language == "vi" ? $"ZALO đã gửi tới {m.Name}" : $"ZALO sent to {m.Name}", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(10), "the demo to print every Zalo delivery", Output);

            await Eventually.WaitAsync(
                () => sms.All(m => Output().Contains(language == "vi" ? $"SMS đã gửi tới {m.Name}" : $"SMS sent to {m.Name}", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(30), "an SMS to every SMS-only member", Output);
            Assert.Contains(language == "vi" ? "CHÁY tại Số 8, hẻm 2 Nguyễn Trãi (Tổ PCCC số 2)" : "FIRE at Số 8, hẻm 2 Nguyễn Trãi (Tổ PCCC số 2)", Output(), StringComparison.Ordinal);

            var mail = n.Members.Where(m => m.Channels[0] == "email").ToList();
            Assert.NotEmpty(mail);
            await Eventually.WaitAsync(
                () => mail.All(m => Output().Contains(language == "vi" ? $"EMAIL đã gửi tới {m.Name}: CHÁY tại Số 8" : $"EMAIL sent to {m.Name}: FIRE at Số 8", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(15), "a mail to every member who reads mail first", Output);
            var mails = await http.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>(new Uri("/demo/email", UriKind.Relative));
            Assert.Equal(mail.Select(m => m.Name).Order(), mails!.Select(m => (string)m!["toName"]!).Order());
            Assert.All(mails!, m => Assert.Contains(language == "vi" ? "Kính gửi " : "Dear ", (string)m!["text"]!, StringComparison.Ordinal));

            // The cameras play the pedestrian clip: motion in the always-armed yard reaches the aggregator.
            await Eventually.WaitAsync(() => http.GetStringAsync(new Uri("/api/motion", UriKind.Relative)).GetAwaiter().GetResult().Contains("cam-1", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "motion from the demo cameras");

            // The registry mirrors the real town, behind the API's admin token that the demo prints.
            var token = System.Text.RegularExpressions.Regex.Match(Output(), "Bearer (ew_[A-Za-z0-9_-]+)").Groups[1].Value;
            Assert.StartsWith("ew_", token, StringComparison.Ordinal);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/api/registry/groups", UriKind.Relative))).StatusCode);
            using var registry = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/registry/groups", UriKind.Relative));
            registry.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            var groups = await (await http.SendAsync(registry)).Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonArray>();
            Assert.Equal(56, groups!.Count);
            Assert.Equal(448, groups.Sum(g => (int)g!["households"]!));

            var badTrip = await http.PostAsync(new Uri("/demo/trip?gateway=gw-g9&channel=h1.smoke", UriKind.Relative), null);
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, badTrip.StatusCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                // Ctrl+C: the demo must stop cleanly. A test run started in the background by a shell without job
                // control inherits SIGINT ignored (and .NET then never sees it), so there SIGTERM, which the demo
                // handles the same way, stands in for it.
                var signal = SigIntIgnored(process.Id) ? "-TERM" : "-INT";
                using var kill = Process.Start("kill", [signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill!.WaitForExitAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                await process.WaitForExitAsync(timeout.Token);
            }
        }

        Assert.Equal(0, process.ExitCode);
        Assert.Contains(texts.Stopping, Output());
    }

    /// <summary>Whether the process ignores SIGINT (bit 2 of SigIgn in /proc/PID/status).</summary>
    private static bool SigIntIgnored(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 0x2) != 0;
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

    [Theory]
    [InlineData("--lang", "fr")]
    [InlineData("--port", "70000")]
    [InlineData("--port", "http")]
    public async Task DemoRejectsABadOptionValueAndNamesTheOption(string option, string value)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "EdgeWatch.Demo.dll");
        using var process = Process.Start(new ProcessStartInfo("dotnet", [dll, option, value]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var err = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains(option, err);
    }
}
