using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace EdgeWatch.Gateway.Hosting;

/// <summary>
/// Says <c>READY=1</c> on <c>NOTIFY_SOCKET</c> once every service has started (the fire path first), also when the
/// gateway was not started by systemd itself (a supervisor that passes a notify socket, or the <c>ready</c>
/// benchmark). Under systemd its own lifetime says it too; a repeated READY=1 changes nothing.
/// </summary>
internal sealed class ReadyNotice(IHostApplicationLifetime lifetime, ISystemdNotifier notifier) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            if (notifier.IsEnabled)
            {
                notifier.Notify(ServiceState.Ready);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
