using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Hardware.Profiles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.Commissioning;

/// <summary>
/// Runs a technician's command on the node (<c>selftest</c>, <c>cert renew</c>) with the node's own settings and
/// services, without starting the gateway. Bad settings or a bad board profile are one line naming the key, exit 2.
/// </summary>
internal static class NodeCommandHost
{
    public static async Task<int> RunAsync(string verb, string[] args, IDictionary<string, string?>? settings, LogLevel level, TextWriter output, Func<IServiceProvider, Task<int>> run)
    {
        try
        {
            using var host = GatewayHost.Create(args, settings, b => b.SetMinimumLevel(level));
            return await run(host.Services).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            await output.WriteLineAsync($"{verb}: configuration error: {string.Join("; ", ex.Failures)}").ConfigureAwait(false);
            return 2;
        }
        catch (BoardProfileException ex)
        {
            await output.WriteLineAsync($"{verb}: board profile: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
    }
}
