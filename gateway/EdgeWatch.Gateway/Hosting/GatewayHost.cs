using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.Hosting;

/// <summary>Builds a gateway host: from the command line and appsettings, or in-process from settings (demo, tests, benchmarks).</summary>
public static class GatewayHost
{
    /// <summary>Settings for an in-process gateway on a simulated board, talking to a broker on loopback.</summary>
    public static Dictionary<string, string?> SimulatedSettings(string site, string gateway, string group, int brokerPort, string stateDirectory, string profile = "rpi4-mcp23017") => new()
    {
        ["Uplink:StateDirectory"] = stateDirectory,
        ["Gateway:Site"] = site,
        ["Gateway:Id"] = gateway,
        ["Gateway:Group"] = group,
        ["Hardware:Driver"] = "simulated",
        ["Hardware:Profile"] = profile,
        ["Mqtt:Host"] = "127.0.0.1",
        ["Mqtt:Port"] = brokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),

        // In-process gateways (tests, benchmarks) run on the wall clock: no weekly siren test in the middle of a run.
        ["SirenTest:Enabled"] = "false",
    };

    /// <summary>
    /// Adds camera 0 (<c>cam-1</c>) reading <paramref name="url"/> as if it were live, with one always-armed zone over
    /// <paramref name="polygon"/> ([x, y] corners in 0–1): the demo's and the tests' sample-video camera.
    /// </summary>
    public static void AddLiveCamera(IDictionary<string, string?> settings, string url, string zone, IReadOnlyList<(double X, double Y)> polygon)
    {
        settings["Cameras:0:Id"] = "cam-1";
        settings["Cameras:0:Url"] = url;
        settings["Cameras:0:Realtime"] = "true";
        settings["Cameras:0:Zones:0:Id"] = zone;
        for (var i = 0; i < polygon.Count; i++)
        {
            settings[$"Cameras:0:Zones:0:Polygon:{i}:0"] = polygon[i].X.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings[$"Cameras:0:Zones:0:Polygon:{i}:1"] = polygon[i].Y.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        settings["Cameras:0:Zones:0:Armed:0"] = "always";
    }

    public static IHost Create(string[] args, IDictionary<string, string?>? settings = null, Action<ILoggingBuilder>? logging = null, Action<IServiceCollection>? services = null)
    {
        // Life-safety latency over throughput: no blocking full collections while the gateway runs.
        System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.SustainedLowLatency;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (settings is not null)
        {
            // In-process gateways (demo, tests, benchmarks) are configured entirely by their settings.
            builder.Configuration.AddInMemoryCollection(settings);
        }
        else
        {
            // A real gateway: its settings file, then /etc/edgewatch, then environment (EDGEWATCH_...) and command line win.
            builder.Configuration.Sources.Clear();
            builder.Configuration
                .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "edgewatch-gateway.json"), optional: true)
                .AddJsonFile("/etc/edgewatch/gateway.json", optional: true)
                .AddEnvironmentVariables("EDGEWATCH_")
                .AddCommandLine(args);
        }

        builder.Services.AddSystemd(); // sd_notify readiness and journal-friendly logs when run by systemd; no-op otherwise
        logging?.Invoke(builder.Logging);
        services?.Invoke(builder.Services);
        builder.Services.AddEdgeWatchGateway();
        return builder.Build();
    }
}
