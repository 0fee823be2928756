using EdgeWatch.Gateway.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// The gateway: fire-safety engine over GPIO plus the MQTT uplink, as a Generic Host (systemd on a Pi).
// `analyze <video-file> [--settings <json>]` runs the motion pipeline over a file instead; `cameras` is the camera process.
if (args.Length > 0 && args[0] == "analyze")
{
    return EdgeWatch.Gateway.Motion.AnalyzeCommand.Run(args[1..], Console.Out, Console.Error);
}

// `cameras --socket <path>`: the camera process, started and watched by the gateway (never by hand).
if (args.Length > 0 && args[0] == EdgeWatch.Gateway.Cameras.CameraProcessCommand.Verb)
{
    return await EdgeWatch.Gateway.Cameras.CameraProcessCommand.RunAsync(args[1..], Console.Error);
}

// `selftest [--yes] [--pulse SECONDS]`: the technician's on-site self-test (gateway service stopped).
if (args.Length > 0 && args[0] == EdgeWatch.Gateway.Commissioning.SelftestCommand.Verb)
{
    return await EdgeWatch.Gateway.Commissioning.SelftestCommand.RunAsync(args[1..], Console.Out, Console.In);
}

// `cert renew [--force]`: renew the node's certificate over MQTT now (gateway service stopped; the service does it by itself).
if (args.Length > 0 && args[0] == EdgeWatch.Gateway.Commissioning.CertRenewCommand.Verb)
{
    return await EdgeWatch.Gateway.Commissioning.CertRenewCommand.RunAsync(args[1..], Console.Out);
}

try
{
    using var host = GatewayHost.Create(args);
    await host.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync($"edgewatch-gateway: configuration error: {string.Join("; ", ex.Failures)}");
    return 2;
}
