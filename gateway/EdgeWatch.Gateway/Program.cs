using EdgeWatch.Gateway.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// The gateway: fire-safety engine over GPIO plus the MQTT uplink, as a Generic Host (systemd on a Pi).
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
