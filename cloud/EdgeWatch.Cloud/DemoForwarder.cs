using System.Diagnostics;

namespace EdgeWatch.Cloud;

/// <summary>
/// <c>dotnet run --project cloud/EdgeWatch.Cloud -- demo</c>, the bare form of the demo, kept working after the demo moved
/// to its own project: the aggregator doesn't reference the gateway, so it runs <c>dotnet run --project cloud/EdgeWatch.Demo</c>
/// from the same checkout and passes the exit code on.
/// </summary>
internal static class DemoForwarder
{
    public static async Task<int> RunAsync(string[] demoArgs)
    {
        var project = new[] { AppContext.BaseDirectory, Environment.CurrentDirectory }
            .Select(Checkout.Root)
            .OfType<string>()
            .Select(root => Path.Combine(root, "cloud", "EdgeWatch.Demo", "EdgeWatch.Demo.csproj"))
            .FirstOrDefault(File.Exists);
        if (project is null)
        {
            await Console.Error.WriteLineAsync("edgewatch-cloud: the demo runs from a checkout of the repository: ./demo.sh, or dotnet run --project cloud/EdgeWatch.Demo").ConfigureAwait(false);
            return 2;
        }

        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        foreach (var a in (string[])["run", "--project", project, "--", .. demoArgs])
        {
            psi.ArgumentList.Add(a);
        }

        using var child = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");

        // Ctrl+C reaches the demo too (same terminal); this process waits for it to stop cleanly.
        Console.CancelKeyPress += (_, e) => e.Cancel = true;
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            using var kill = Process.Start("kill", ["-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        });
        await child.WaitForExitAsync().ConfigureAwait(false);
        return child.ExitCode;
    }
}
