using EdgeWatch.Cloud.Broker;
using EdgeWatch.Cloud.Ingest;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Cloud.Tests;

/// <summary>
/// A real aggregator on loopback: its embedded broker on a free port (or an external Mosquitto), SQLite in a temp
/// directory, and its webhook pointed at a real receiver.
/// </summary>
internal sealed class CloudRig : IAsyncDisposable
{
    private CloudRig(WebApplication app, string dir, WebhookReceiver webhook, int httpPort)
    {
        App = app;
        Directory = dir;
        Webhook = webhook;
        HttpPort = httpPort;
    }

    public WebApplication App { get; }
    public string Directory { get; }
    public WebhookReceiver Webhook { get; }
    public int HttpPort { get; }
    public EmbeddedBroker Broker => App.Services.GetRequiredService<EmbeddedBroker>();
    public int BrokerPort => Broker.Port;
    public EventStore Store => App.Services.GetRequiredService<EventStore>();
    public MqttIngest Ingest => App.Services.GetRequiredService<MqttIngest>();
    public Notify.WebhookNotifier Notifier => App.Services.GetRequiredService<Notify.WebhookNotifier>();
    public string DatabasePath => Path.Combine(Directory, "cloud.db");

    /// <summary>The token of the rig's <c>admin</c> account (<c>Auth:AdminToken</c>).</summary>
    public const string AdminToken = "ew_test-admin-token-0123456789abcdef";

    /// <summary>A client of the rig's HTTP API, with a bearer token when given one.</summary>
    public HttpClient Http(string? token = null)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}") };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    /// <param name="zns">A ZNS emulator to send members' messages to; without it ZNS is off.</param>
    /// <param name="modems">Modem emulators for SMS and calls; without them there are none.</param>
    /// <param name="extra">Further settings.</param>
    /// <param name="withStaff">Keep the demo town's duty officers and technicians (and so notify the officers).</param>
    public static async Task<CloudRig> StartAsync(
        int groups = 2, int? externalBrokerPort = null, TimeProvider? time = null, Emulators.ZnsEmulator? zns = null,
        IReadOnlyList<Emulators.ModemEmulator>? modems = null, IDictionary<string, string?>? extra = null, Action<SiteDocument>? site = null, bool withStaff = false)
    {
        var dir = Eventually.TempDirectory("edgewatch-cloud");
        var town = DemoTown.Create("town", groups, 8);
        if (!withStaff)
        {
            town.Document.RemoveStaff(_ => true); // no duty officers: only the members are notified
        }

        site?.Invoke(town.Document);
        town.Document.Cameras.RemoveAll(c => c.Group is { } g && town.Document.Groups.All(x => x.Id != g)); // the lanes a test took out
        town.Save(Path.Combine(dir, "site.json"));
        var webhook = await WebhookReceiver.StartAsync();
        var httpPort = Eventually.FreePort();
        var settings = new Dictionary<string, string?>
        {
            ["Broker:Mode"] = externalBrokerPort is null ? "embedded" : "external",
            ["Broker:Port"] = externalBrokerPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "0",
            ["Storage:ConnectionString"] = $"Data Source={Path.Combine(dir, "cloud.db")}",
            ["Site:File"] = Path.Combine(dir, "site.json"),
            ["Notify:WebhookUrl"] = webhook.Url.ToString(),
            ["Notify:WebhookSecret"] = WebhookReceiver.Secret,
            ["Auth:AdminToken"] = AdminToken,
        };
        if (zns is not null)
        {
            settings["Notify:Zns:ApiUrl"] = zns.Url.ToString();
            settings["Notify:Zns:OAuthUrl"] = zns.Url.ToString();
            settings["Notify:Zns:AppId"] = Emulators.ZnsEmulator.AppId;
            settings["Notify:Zns:SecretKey"] = Emulators.ZnsEmulator.SecretKey;
            settings["Notify:Zns:RefreshToken"] = zns.CurrentRefreshToken;
            settings["Notify:Zns:FireTemplateId"] = Emulators.ZnsEmulator.FireTemplate;
        }

        for (var i = 0; i < (modems?.Count ?? 0); i++)
        {
            settings[$"Notify:Modem:Ports:{i}"] = modems![i].Port;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var app = CloudApp.Build([$"--urls=http://127.0.0.1:{httpPort}"], settings, b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            if (time is not null)
            {
                b.Services.AddSingleton(time);
            }
        });
        await app.StartAsync();
        var rig = new CloudRig(app, dir, webhook, httpPort);
        await Eventually.WaitAsync(() => rig.Ingest.Connected, TimeSpan.FromSeconds(10), "the aggregator to subscribe");
        return rig;
    }

    /// <summary>A gateway's retained status as the ingest gets it: <c>online: false</c> is its Will.</summary>
    public Task StatusAsync(string gateway, bool online) =>
        Ingest.HandleAsync(new MQTTnet.MqttApplicationMessageBuilder().WithTopic(Protocol.Topics.Status("town", gateway))
            .WithPayload(Protocol.ProtocolJson.Serialize(new Protocol.GatewayStatus { Gateway = gateway, Online = online })).Build(), default);

    /// <summary>A fire event as the ingest gets it from its gateway's topic.</summary>
    public Task FireAsync(Protocol.FireEvent alarm) =>
        Ingest.HandleAsync(new MQTTnet.MqttApplicationMessageBuilder().WithTopic(Protocol.Topics.FireEvents("town", alarm.Gateway)).WithPayload(Protocol.ProtocolJson.Serialize(alarm)).Build(), default);

    private long _motionSeq = 5000;

    /// <summary>A motion start in <paramref name="zone"/> of a gateway's camera, at <paramref name="at"/>, as the ingest gets it.</summary>
    public async Task<Protocol.MotionEvent> MotionAsync(DateTimeOffset at, string gateway = "gw-g1", string camera = "cam-1", string zone = "yard", bool armed = true)
    {
        var id = Guid.CreateVersion7();
        var m = new Protocol.MotionEvent
        {
            Id = id, Seq = Interlocked.Increment(ref _motionSeq), Site = "town", Gateway = gateway, Boot = Guid.Empty, EventId = id, Camera = camera,
            Phase = "start", Zones = [zone], Armed = armed, PeakArea = 0.05, WallTime = at, MonotonicMs = 1000, ClockSynced = true,
        };
        await Ingest.HandleAsync(new MQTTnet.MqttApplicationMessageBuilder().WithTopic(Protocol.Topics.MotionEvents("town", gateway)).WithPayload(Protocol.ProtocolJson.Serialize(m)).Build(), default);
        return m;
    }

    /// <summary>Sequence numbers stored for one gateway (fire, trouble, motion, heartbeats).</summary>
    public HashSet<long> StoredSeqs(string gateway) =>
        [.. Store.ListSequencesAsync(default).GetAwaiter().GetResult().Where(s => s.Gateway == gateway).Select(s => s.Seq)];

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
