using EdgeWatch.Cloud.Broker;
using EdgeWatch.Cloud.Ingest;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Cloud.Tests;

/// <summary>A real aggregator on loopback: embedded broker on a free port, SQLite in a temp directory, webhook to a receiver.</summary>
internal sealed class CloudRig : IAsyncDisposable
{
    private CloudRig(WebApplication app, string dir, WebhookReceiver webhook)
    {
        App = app;
        Directory = dir;
        Webhook = webhook;
    }

    public WebApplication App { get; }
    public string Directory { get; }
    public WebhookReceiver Webhook { get; }
    public int BrokerPort => App.Services.GetRequiredService<EmbeddedBroker>().Port;
    public EventStore Store => App.Services.GetRequiredService<EventStore>();
    public MqttIngest Ingest => App.Services.GetRequiredService<MqttIngest>();

    public static async Task<CloudRig> StartAsync(int groups = 2)
    {
        var dir = Path.Combine(Path.GetTempPath(), "edgewatch-test-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        SiteDirectory.Demo("town", groups, 8).Save(Path.Combine(dir, "site.json"));
        var webhook = await WebhookReceiver.StartAsync();
        var app = CloudApp.Build(
            [$"--urls=http://127.0.0.1:{Eventually.FreePort()}"],
            new Dictionary<string, string?>
            {
                ["Broker:Port"] = "0",
                ["Storage:ConnectionString"] = $"Data Source={Path.Combine(dir, "cloud.db")}",
                ["Site:File"] = Path.Combine(dir, "site.json"),
                ["Notify:WebhookUrl"] = webhook.Url.ToString(),
            },
            b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var rig = new CloudRig(app, dir, webhook);
        await Eventually.WaitAsync(() => rig.Ingest.Connected, TimeSpan.FromSeconds(10), "the aggregator to subscribe");
        return rig;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Webhook.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, true);
        }
        catch (IOException)
        {
        }
    }
}
