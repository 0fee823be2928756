using System.Diagnostics;
using System.Text.Json;
using EdgeWatch.Gateway.Cameras;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeWatch.Cloud.Tests;

/// <summary>
/// The camera side is its own process running the real detector on a real clip (the opencv-doc pedestrians, played as
/// a live camera). Killing or freezing it during an alarm neither stops nor hushes the fire side; it shows as a
/// <c>camera-process-failed</c> trouble, and a new camera process goes on reporting motion.
/// </summary>
public partial class FaultInjectionTests
{
    private static void WithCamera(Dictionary<string, string?> settings)
    {
        GatewayHost.AddLiveCamera(settings, Repo.Sample("vtest.avi"), "street", [(0, 0), (1, 0), (1, 1), (0, 1)]);
        settings["CameraProcess:HangTimeout"] = "00:00:03";
    }

    private static async Task<HashSet<string>> MotionStartsAsync(CloudRig cloud)
    {
        using var doc = JsonDocument.Parse(await cloud.Store.ListMotionJsonAsync(1000, default));
        return [.. doc.RootElement.EnumerateArray().Where(m => m.GetProperty("phase").GetString() == "start").Select(m => m.GetProperty("eventId").GetString()!)];
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <remarks>SEGV comes from a real fault in native code (USR1 triggers it, see NativeCrash): the runtime ignores a SIGSEGV sent by kill.</remarks>
    [Theory]
    [InlineData("USR1", "killed by signal 11")]
    [InlineData("KILL", "killed by signal 9")]
    [InlineData("STOP", "hung")]
    public async Task CameraProcessCrashedKilledOrHungDuringAnAlarm(string signal, string failure)
    {
        Environment.SetEnvironmentVariable("EDGEWATCH_FAULT_INJECTION", "native-crash-on-sigusr1"); // inherited by camera processes; only USR1 acts on it
        await using var site = await Site.StartAsync(configure: WithCamera);
        var cameras = site.Gateway.Services.GetRequiredService<CameraProcessSupervisor>();
        await Eventually.WaitAsync(() => MotionStartsAsync(site.Cloud).Result.Count > 0, TimeSpan.FromSeconds(60), "motion from the first camera process at the aggregator");
        var first = cameras.ProcessId ?? throw new InvalidOperationException("motion arrived, yet no camera process runs");

        site.Board.Trip("h6.call-point.inside");
        await Eventually.WaitAsync(() => site.Engine.State == GroupState.Alarm, TimeSpan.FromSeconds(5), "the alarm");
        Signal(first, signal);
        await site.AlarmIsHandledAsync(AllSirens, CameraProcessSupervisor.TroubleCause, CameraProcessSupervisor.TroubleChannel);
        Assert.Contains(failure, cameras.LastFailure, StringComparison.Ordinal);

        // A new camera process, motion from it, and the trouble cleared; the alarm never stopped.
        var before = await MotionStartsAsync(site.Cloud);
        await Eventually.WaitAsync(() => cameras.ProcessId is { } pid && pid != first, TimeSpan.FromSeconds(30), "a new camera process");
        await Eventually.WaitAsync(() => MotionStartsAsync(site.Cloud).Result.Except(before).Any(), TimeSpan.FromSeconds(60), "motion from the restarted camera process");
        await Eventually.WaitAsync(
            () => site.StoredAsync("trouble-cleared").Result.Any(t => t.Cause == CameraProcessSupervisor.TroubleCause),
            TimeSpan.FromSeconds(15), "the camera trouble cleared once the new process reported");
        Assert.Equal(GroupState.Alarm, site.Engine.State);
        await Eventually.WaitAsync(() => AllSirens.All(site.Board.IsOn), TimeSpan.FromSeconds(5), "every siren still sounding its pattern");
        Assert.False(Process.GetProcesses().Any(p => p.Id == first && !p.HasExited), $"the failed camera process {first} is still running");
    }

    [Fact]
    public async Task CameraProcessOverItsMemoryLimitIsRestartedAndOpenCvNeverEntersTheGatewayProcess()
    {
        await using var cloud = await CloudRig.StartAsync();
        var arrived = new System.Collections.Concurrent.ConcurrentQueue<Protocol.FireEvent>();
        cloud.Ingest.Stored += arrived.Enqueue;
        var settings = GatewayHost.SimulatedSettings("town", "gw-g1", "g1", cloud.BrokerPort, Eventually.TempDirectory("edgewatch-camera-memory"));
        settings["Mqtt:ReconnectMinDelay"] = "00:00:00.100";
        settings["Logging:LogLevel:Default"] = "Warning";
        WithCamera(settings);
        settings["CameraProcess:MemoryLimitMb"] = "40"; // below what OpenCV and the runtime need: every camera process is over it
        using var gateway = GatewayProcess.Start(settings);

        // Catch a camera process while it runs: OpenCV is mapped there, and never in the gateway.
        var sawOpenCvInChild = false;
        await Eventually.WaitAsync(() =>
        {
            foreach (var child in ChildrenOf(gateway.Id))
            {
                sawOpenCvInChild |= Maps(child).Contains("OpenCvSharpExtern", StringComparison.Ordinal);
            }

            return sawOpenCvInChild;
        }, TimeSpan.FromSeconds(60), $"a camera process with OpenCV loaded; gateway output: {gateway.Output}");
        await Eventually.WaitAsync(
            () => arrived.Any(e => e.Cause == CameraProcessSupervisor.TroubleCause && e.Detail?.Contains("MemoryLimitMb", StringComparison.Ordinal) == true),
            TimeSpan.FromSeconds(30), $"the memory trouble at the aggregator; gateway output: {gateway.Output}");
        Assert.DoesNotContain("OpenCvSharp", Maps(gateway.Id), StringComparison.Ordinal);
        Assert.False(gateway.HasExited, $"the gateway ended: {gateway.Output}");
    }

    private static string Maps(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/maps");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ""; // it ended meanwhile
        }
    }

    private static List<int> ChildrenOf(int pid)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var candidate))
            {
                continue;
            }

            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == pid)
                {
                    children.Add(candidate);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // ended meanwhile
            }
        }

        return children;
    }
}
