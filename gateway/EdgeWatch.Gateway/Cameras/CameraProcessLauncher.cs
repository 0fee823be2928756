using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace EdgeWatch.Gateway.Cameras;

/// <summary>How the camera process is started, and what the gateway reads about it from <c>/proc</c>.</summary>
internal static class CameraProcessLauncher
{
    /// <summary>
    /// The configured command, else this gateway's own assembly run by the <c>dotnet</c> host that runs this process,
    /// with this process's dependencies and runtime settings (the gateway itself, or the demo or test host a gateway
    /// runs in), else the gateway's apphost next to this process.
    /// </summary>
    public static ProcessStartInfo StartInfo(string? command, string socketPath)
    {
        var dll = typeof(CameraProcessLauncher).Assembly.Location;
        var muxer = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        var deps = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?.Split(';')[0]; // the app's own first, then the frameworks'
        var runtimeConfig = deps is null ? null : deps[..^".deps.json".Length] + ".runtimeconfig.json";
        ProcessStartInfo start;
        if (command is { Length: > 0 })
        {
            start = new ProcessStartInfo(command);
        }
        else if (File.Exists(muxer) && dll.Length > 0 && File.Exists(deps) && File.Exists(runtimeConfig))
        {
            start = new ProcessStartInfo(muxer) { ArgumentList = { "exec", "--runtimeconfig", runtimeConfig, "--depsfile", deps, dll } };
        }
        else
        {
            start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "EdgeWatch.Gateway"));
        }

        start.UseShellExecute = false;
        start.ArgumentList.Add(CameraProcessCommand.Verb);
        start.ArgumentList.Add("--socket");
        start.ArgumentList.Add(socketPath);
        start.Environment["DOTNET_gcServer"] = "0";
        return start;
    }

    /// <summary>When memory runs out, the kernel kills the camera process before the gateway (a child may raise its own score).</summary>
    public static void PreferForOutOfMemoryKill(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/oom_score_adj", "1000");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or the process already ended: nothing to prefer.
        }
    }

    /// <summary>Resident memory (VmRSS) of a process in MB; 0 when it can't be read.</summary>
    public static double ResidentMb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // the process ended
        }

        return 0;
    }
}
