using System.Collections.Concurrent;
using EdgeWatch.Cloud;
using EdgeWatch.Cloud.Broker;
using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Hardware.Simulation;

namespace EdgeWatch.Demo;

/// <summary>
/// A complete site on this machine: the aggregator (embedded broker, SQLite, HTTP) plus simulated gateways, one per
/// fire-safety group, each with its own simulated board. The aggregator's webhook points at its own /demo/webhook,
/// which prints every notification.
/// </summary>
public sealed class DemoSite : IAsyncDisposable
{
    private readonly List<IHost> _gateways = [];
    private readonly ConcurrentQueue<Notification> _notifications = new();

    private readonly DemoTexts _texts;
    private readonly SiteDirectory _town;

    private DemoSite(WebApplication app, string directory, int httpPort, DemoTexts texts, Emulators.ZnsEmulator zns, Emulators.ModemEmulator? modem, Emulators.SmtpEmulator smtp, SiteDirectory town)
    {
        Zns = zns;
        Modem = modem;
        Smtp = smtp;
        _town = town;
        _texts = texts;
        App = app;
        Directory = directory;
        HttpPort = httpPort;
    }

    public WebApplication App { get; }
    public string Directory { get; }
    public int HttpPort { get; }
    public int BrokerPort => App.Services.GetRequiredService<EmbeddedBroker>().Port;
    public string HttpAddress => $"http://127.0.0.1:{HttpPort}";
    public IReadOnlyList<IHost> Gateways => _gateways;
    public IReadOnlyCollection<Notification> Notifications => _notifications;

    /// <summary>The local Zalo ZNS service the demo's aggregator sends members' messages to.</summary>
    public Emulators.ZnsEmulator Zns { get; }

    /// <summary>The LTE modem on a pseudo-terminal that sends the demo's SMS (null without socat).</summary>
    public Emulators.ModemEmulator? Modem { get; }

    /// <summary>The local SMTP server the demo's mail goes to (members who read mail first).</summary>
    public Emulators.SmtpEmulator Smtp { get; }

    /// <summary>The demo registry's groups: 56 of 8 households, as in the real town.</summary>
    public const int RegistryGroups = 56;

    /// <summary>The admin API token of this demo run (printed at start; a real site makes its own).</summary>
    public required string AdminToken { get; init; }

    public static async Task<DemoSite> StartAsync(int groups = 2, int households = 8, int httpPort = 0, bool withCameras = true, DemoTexts? texts = null, CancellationToken cancellationToken = default)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"edgewatch-demo-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(dir);
        var sitePath = Path.Combine(dir, "site.json");
        // The registry mirrors the real town (56 groups, 448 households, the duty roster); the first groups have
        // live simulated gateways.
        var town = DemoTown.Create("town", Math.Max(groups, RegistryGroups), households);
        town.Save(sitePath);
        var port = httpPort == 0 ? EmbeddedBroker.FreeLoopbackPort() : httpPort;
        var zns = await Emulators.ZnsEmulator.StartAsync("demo-refresh-token").ConfigureAwait(false);

        // SMS-only members (and anyone Zalo can't reach) get an SMS through an emulated LTE modem, 3 s per message.
        var modem = SystemPackages.OnPath("socat") ? await Emulators.ModemEmulator.StartAsync(Path.Combine(dir, "modem")).ConfigureAwait(false) : null;

        var smtp = Emulators.SmtpEmulator.Start();

        var settings = new Dictionary<string, string?>
        {
            ["Notify:Smtp:Host"] = Emulators.SmtpEmulator.Host,
            ["Notify:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notify:Smtp:Security"] = "None",
            ["Notify:Smtp:From"] = "EdgeWatch PCCC <canhbao@an-phu.example>",
            ["Broker:Mode"] = "embedded",
            ["Broker:Port"] = "0",
            ["Storage:ConnectionString"] = $"Data Source={Path.Combine(dir, "edgewatch.db")}",
            ["Site:File"] = sitePath,
            ["Notify:WebhookUrl"] = $"http://127.0.0.1:{port}/demo/webhook",
            ["Notify:WebhookSecret"] = "edgewatch-demo-webhook-key",
            ["Notify:Zns:ApiUrl"] = zns.Url.ToString(),
            ["Notify:Zns:OAuthUrl"] = zns.Url.ToString(),
            ["Notify:Zns:AppId"] = Emulators.ZnsEmulator.AppId,
            ["Notify:Zns:SecretKey"] = Emulators.ZnsEmulator.SecretKey,
            ["Notify:Zns:RefreshToken"] = zns.CurrentRefreshToken,
            ["Notify:Zns:FireTemplateId"] = Emulators.ZnsEmulator.FireTemplate,
            ["Logging:LogLevel:Microsoft"] = "Warning",
            ["Logging:LogLevel:System.Net.Http"] = "Warning",
        };
        if (modem is not null)
        {
            settings["Notify:Modem:Ports:0"] = modem.Port;
        }

        settings["Notify:Language"] = (texts ?? DemoTexts.Vietnamese).Language; // what members read, as the demo's language

        var adminToken = Cloud.Auth.ApiTokens.New();
        settings["Auth:AdminToken"] = adminToken;
        var app = CloudApp.Build([$"--urls=http://127.0.0.1:{port}"], settings);
        var site = new DemoSite(app, dir, port, texts ?? DemoTexts.Vietnamese, zns, modem, smtp, town) { AdminToken = adminToken };
        site.MapDemoEndpoints();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        for (var g = 1; g <= groups; g++)
        {
            var gatewaySettings = GatewayHost.SimulatedSettings("town", $"gw-g{g}", $"g{g}", site.BrokerPort, Path.Combine(dir, $"gw-g{g}"));
            gatewaySettings["SirenTest:Enabled"] = "true"; // the demo town runs its weekly test, Sundays 09:00
            gatewaySettings["Logging:LogLevel:Microsoft"] = "Warning";
            if (withCameras && SystemPackages.SampleVideo() is { } video)
            {
                // One camera per gateway, playing the sample video as if it were live; its yard zone is always armed.
                GatewayHost.AddLiveCamera(gatewaySettings, video, "yard", [(0, 0.3), (1, 0.3), (1, 1), (0, 1)]);
            }

            var host = GatewayHost.Create([], gatewaySettings);
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            site._gateways.Add(host);
        }

        return site;
    }

    public SimulatedBoard Board(string gateway) =>
        Host(gateway).Services.GetRequiredService<SimulatedBoard>();

    public FireSafetyEngine Engine(string gateway) =>
        Host(gateway).Services.GetRequiredService<FireSafetyEngine>();

    private IHost Host(string gateway) =>
        _gateways.FirstOrDefault(h => h.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayOptions>>().Value.Id == gateway)
        ?? throw new KeyNotFoundException($"no gateway '{gateway}' in this demo (gateways: {string.Join(", ", Enumerable.Range(1, _gateways.Count).Select(i => $"gw-g{i}"))})");

    private void MapDemoEndpoints()
    {
        App.MapPost("/demo/webhook", (Notification n, ILogger<DemoSite> log) =>
        {
            _notifications.Enqueue(n);
            var members = string.Join(", ", n.Members.Select(m => $"{m.Name} {m.Phone}"));
            if (_texts.Language == "en")
            {
                DemoLog.Notified(log, n.Group, n.Household ?? "-", n.Address ?? "-", _texts.Cause(n.Cause), n.Members.Count, members);
            }
            else
            {
                DemoLog.NotifiedVi(log, n.Group, n.Household ?? "-", n.Address ?? "-", _texts.Cause(n.Cause), n.Members.Count, members);
            }

            return Results.Ok();
        });
        App.MapGet("/demo/notifications", () => Results.Ok(_notifications.ToArray()));
        App.MapGet("/demo/zns", () => Results.Ok(Zns.Accepted.Select(m => new { m.Phone, m.TemplateId, Data = m.TemplateData.ToJsonString(), m.MsgId }).ToArray()));
        var znsLog = App.Services.GetRequiredService<ILogger<DemoSite>>();
        Zns.OnAccepted = m =>
        {
            var (name, phone, address) = ((string?)m.TemplateData["name"] ?? "?", Cloud.Notify.PhoneNumber.Masked(m.Phone), (string?)m.TemplateData["address"] ?? "?");
            if (_texts.Language == "en")
            {
                DemoLog.ZaloSentEn(znsLog, name, phone, address, m.MsgId);
            }
            else
            {
                DemoLog.ZaloSent(znsLog, name, phone, address, m.MsgId);
            }
        };
        App.MapGet("/demo/sms", () => Results.Ok((Modem?.Messages.ToArray() ?? []).Select(m => new { m.Destination, m.Text, m.Parts, m.Ucs2 })));
        if (Modem is not null)
        {
            var names = _town.Document.Groups.SelectMany(g => g.Households).SelectMany(h => h.Members).Cast<PersonDocument>().Concat(_town.Document.Staff)
                .GroupBy(m => PhoneNumber.Normalise(m.Phone) ?? "").ToDictionary(g => g.Key, g => g.First().Name);
            Modem.OnMessage = m =>
            {
                var (name, phone) = (names.GetValueOrDefault(m.Destination, "?"), PhoneNumber.Masked(m.Destination));
                if (_texts.Language == "en")
                {
                    DemoLog.SmsSentEn(znsLog, name, phone, m.Text);
                }
                else
                {
                    DemoLog.SmsSent(znsLog, name, phone, m.Text);
                }
            };
        }

        App.MapGet("/demo/email", () => Results.Ok(Smtp.Accepted.Select(m => new { m.To, m.ToName, m.Subject, m.Text }).ToArray()));
        Smtp.OnAccepted = m =>
        {
            if (_texts.Language == "en")
            {
                DemoLog.EmailSentEn(znsLog, m.ToName ?? "?", m.Subject);
            }
            else
            {
                DemoLog.EmailSent(znsLog, m.ToName ?? "?", m.Subject);
            }
        };

        App.MapPost("/demo/trip", (string gateway, string channel) => Script(gateway, channel, b => b.Trip(channel), "tripped"));
        App.MapPost("/demo/restore", (string gateway, string channel) => Script(gateway, channel, b => b.Restore(channel), "restored"));
        App.MapPost("/demo/silence", (string gateway) => Command(gateway, e => e.Silence("demo")));
        App.MapPost("/demo/reset", (string gateway) => Command(gateway, e => e.Reset("demo")));
        App.MapPost("/demo/siren-test", (string gateway) => Command(gateway, e => e.StartSirenTest()));
        App.MapGet("/demo", () => Results.Ok(_gateways.Select((h, i) => new
        {
            Gateway = $"gw-g{i + 1}",
            Group = $"g{i + 1}",
            State = h.Services.GetRequiredService<FireSafetyEngine>().State.ToString(),
            Channels = h.Services.GetRequiredService<SimulatedBoard>().Profile.Channels.Where(c => !c.Kind.Equals(Hardware.Profiles.ChannelKind.Siren)).Select(c => c.Id),
        })));
    }

    private IResult Script(string gateway, string channel, Action<SimulatedBoard> action, string what)
    {
        try
        {
            action(Board(gateway));
            return Results.Ok(new { gateway, channel, result = what });
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            return Results.BadRequest(new { error = ex.Message });
        }
    }

    private IResult Command(string gateway, Func<FireSafetyEngine, CommandResult> command)
    {
        try
        {
            var r = command(Engine(gateway));
            return r.Accepted ? Results.Ok(r) : Results.Conflict(r);
        }
        catch (KeyNotFoundException ex)
        {
            return Results.BadRequest(new { error = ex.Message });
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var g in _gateways)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await g.StopAsync(timeout.Token).ConfigureAwait(false);
            g.Dispose();
        }

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await App.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        await App.DisposeAsync().ConfigureAwait(false);
        await Zns.DisposeAsync().ConfigureAwait(false);
        await Smtp.DisposeAsync().ConfigureAwait(false);
        if (Modem is not null)
        {
            await Modem.DisposeAsync().ConfigureAwait(false);
        }
    }
}

internal static partial class DemoLog
{
    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "ZALO đã gửi tới {Name} ({Phone}): cháy tại {Address} (msg_id {MsgId})")]
    public static partial void ZaloSent(ILogger logger, string name, string phone, string address, string msgId);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "ZALO sent to {Name} ({Phone}): fire at {Address} (msg_id {MsgId})")]
    public static partial void ZaloSentEn(ILogger logger, string name, string phone, string address, string msgId);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "SMS đã gửi tới {Name} ({Phone}): {Text}")]
    public static partial void SmsSent(ILogger logger, string name, string phone, string text);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Warning, Message = "SMS sent to {Name} ({Phone}): {Text}")]
    public static partial void SmsSentEn(ILogger logger, string name, string phone, string text);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Warning, Message = "EMAIL đã gửi tới {Name}: {Subject}")]
    public static partial void EmailSent(ILogger logger, string name, string subject);

    [LoggerMessage(EventId = 5015, Level = LogLevel.Warning, Message = "EMAIL sent to {Name}: {Subject}")]
    public static partial void EmailSentEn(ILogger logger, string name, string subject);

    [LoggerMessage(EventId = 5000, Level = LogLevel.Warning, Message = "NOTIFY group {Group} household {Household} ({Address}), cause {Cause}: calling {Count} members: {Members}")]
    public static partial void Notified(ILogger logger, string group, string household, string address, string cause, int count, string members);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "THÔNG BÁO tổ {Group}, hộ {Household} ({Address}), nguyên nhân: {Cause}; đang gọi {Count} thành viên: {Members}")]
    public static partial void NotifiedVi(ILogger logger, string group, string household, string address, string cause, int count, string members);
}
