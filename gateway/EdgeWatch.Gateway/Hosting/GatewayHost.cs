using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.Hosting;

/// <summary>Builds a gateway host: from the command line and appsettings, or in-process from settings (demo, tests, benchmarks).</summary>
public static class GatewayHost
{
    public static IHost Create(string[] args, IDictionary<string, string?>? settings = null, Action<ILoggingBuilder>? logging = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        logging?.Invoke(builder.Logging);
        services?.Invoke(builder.Services);
        builder.Services.AddEdgeWatchGateway();
        return builder.Build();
    }
}
