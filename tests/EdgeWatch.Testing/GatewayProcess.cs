using System.Diagnostics;
using System.Text;

namespace EdgeWatch.Testing;

/// <summary>A gateway as its own operating-system process (the published EdgeWatch.Gateway.dll), so tests can SIGKILL it.</summary>
public sealed class GatewayProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <param name="environment">Extra environment variables (for example the systemd unit's GC settings).</param>
    public static GatewayProcess Start(IReadOnlyDictionary<string, string?> settings, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = GatewayDll();

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        psi.ArgumentList.Add(dll);
        foreach (var (key, value) in settings)
        {
            psi.ArgumentList.Add($"--{key}={value}");
        }

        return new GatewayProcess(Process.Start(psi) ?? throw new InvalidOperationException("the gateway process did not start"));
    }

    /// <summary>The gateway's own build output (same configuration as the running tests), with its own dependencies.</summary>
    public static string GatewayDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(Repo.Root, "gateway", "EdgeWatch.Gateway", "bin", configuration, "net10.0", "EdgeWatch.Gateway.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"the gateway is not built ({configuration}); build EdgeWatch.sln first", dll);
    }

    /// <summary>Resident memory of the process now (VmRSS), in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS for process {_process.Id}");
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a power cut of the process.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
