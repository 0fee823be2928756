using System.Diagnostics;

namespace EdgeWatch.Provisioning.Tests;

public class ProvisioningCliTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "EdgeWatch.Provisioning.dll");
        using var p = Process.Start(new ProcessStartInfo("dotnet", [dll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task HelpExplainsTheToolAndSucceeds()
    {
        var (code, output, _) = await RunAsync("--help");
        Assert.Equal(0, code);
        Assert.Contains("usage: edgewatch-provision", output);
    }

    [Fact]
    public async Task UnknownCommandFailsWithAClearMessage()
    {
        var (code, _, error) = await RunAsync("flash-the-moon");
        Assert.Equal(2, code);
        Assert.Contains("unknown command 'flash-the-moon'", error);
    }
}
