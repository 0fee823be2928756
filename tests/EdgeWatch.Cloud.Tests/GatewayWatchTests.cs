using EdgeWatch.Cloud.Broker;
using EdgeWatch.Cloud.Incidents;
using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Emulators;
using EdgeWatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;

namespace EdgeWatch.Cloud.Tests;

/// <summary>A gateway going offline (silence or its Will) and back: an incident that tells the technicians on duty.</summary>
[Trait("Category", "Integration")]
public sealed class GatewayWatchTests : ModemTest
{
    // Monday 2 March 2026, 10:00 in Vietnam: both technicians (07:00–22:00) are on shift.
    private static readonly DateTimeOffset MondayMorning = new(2026, 3, 2, 3, 0, 0, TimeSpan.Zero);

    private static Task Status(CloudRig rig, string gateway, bool online) => rig.StatusAsync(gateway, online);

    private static Task<CloudRig> StartAsync(FakeTimeProvider time, ModemEmulator modem) =>
        CloudRig.StartAsync(time: time, modems: [modem], withStaff: true, extra: new Dictionary<string, string?> { ["Notify:Modem:StatusInterval"] = "00:00:01" });

    private static List<string> TechnicianPhones(CloudRig rig) =>
        [.. rig.App.Services.GetRequiredService<SiteRegistry>().Current.Document.Staff.Where(s => s.Role == "technician").Select(s => PhoneNumber.Normalise(s.Phone)!).Order()];

    private static Storage.IncidentRecord? Offline(CloudRig rig) =>
        rig.Store.UnresolvedIncidentsAsync(GatewayWatch.Kind, default).GetAwaiter().GetResult().SingleOrDefault();

    [Fact]
    public async Task SilenceForOfflineAfterOpensAnIncidentThatTellsTheTechniciansAndTheNextMessageClosesIt()
    {
        var time = new FakeTimeProvider(MondayMorning);
        await using var rig = await StartAsync(time, Modem);
        var watch = rig.App.Services.GetRequiredService<GatewayWatch>();
        var technicians = TechnicianPhones(rig);
        Assert.Equal(2, technicians.Count);

        await Status(rig, "gw-g1", online: true);
        using (var http = rig.Http())
        {
            await Eventually.WaitAsync(() => rig.App.Services.GetRequiredService<Notify.Sms.ModemPool>().Status.All(m => m.Fault is null && m.Registered), TimeSpan.FromSeconds(10), "the modem ready");
            Assert.Equal("Healthy", await http.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        }

        time.Advance(TimeSpan.FromSeconds(44));
        await watch.StepAsync(default);
        Assert.Null(Offline(rig));

        // Just past 45 s of silence (on a 5 s tick: well inside 60 s).
        time.Advance(TimeSpan.FromSeconds(2));
        await watch.StepAsync(default);
        var incident = Offline(rig);
        Assert.NotNull(incident);
        Assert.Equal(("g1", "open"), (incident.Group, incident.Status));
        Assert.Equal(["gw-g1"], watch.Offline);
        using (var http = rig.Http())
        {
            Assert.Contains("\"offlineGateways\":[\"gw-g1\"]", await http.GetStringAsync(new Uri("/api/health", UriKind.Relative)), StringComparison.Ordinal);
            var healthz = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
            Assert.Equal(System.Net.HttpStatusCode.OK, healthz.StatusCode);
            Assert.Equal("Degraded", await healthz.Content.ReadAsStringAsync());
        }
        await Eventually.WaitAsync(() => Modem.Messages.Count(m => m.Text.StartsWith("MẤT KẾT NỐI", StringComparison.Ordinal)) == 2, TimeSpan.FromSeconds(20), "an SMS to each technician");
        var down = Modem.Messages.Where(m => m.Text.StartsWith("MẤT KẾT NỐI", StringComparison.Ordinal)).ToList();
        Assert.Equal(technicians, down.Select(m => m.Destination).Order());
        Assert.All(down, m => Assert.Equal("MẤT KẾT NỐI: bộ điều khiển gw-g1 (Tổ PCCC số 1) im lặng từ 10:00 02/03", m.Text));
        Assert.All(down, m => Assert.Equal(1, m.Parts));

        await Eventually.WaitAsync(() => rig.Store.ListNotificationsAsync(incident.Id, 100, default).GetAwaiter().GetResult().All(r => r.Status == "delivered"),
            TimeSpan.FromSeconds(10), "the offline SMS rows delivered");

        // A heartbeat-like sign of life closes it, and whoever was told hears that it is back.
        time.Advance(TimeSpan.FromMinutes(3));
        await Status(rig, "gw-g1", online: true);
        await watch.StepAsync(default);
        Assert.Null(Offline(rig));
        Assert.Empty(watch.Offline);
        Assert.Equal("resolved", (await rig.Store.GetIncidentAsync(incident.Id, default))!.Status);
        await Eventually.WaitAsync(() => Modem.Messages.Count(m => m.Text.StartsWith("ĐÃ KẾT NỐI LẠI", StringComparison.Ordinal)) == 2, TimeSpan.FromSeconds(20), "the back-online SMS");
        Assert.Contains(Modem.Messages, m => m.Text == "ĐÃ KẾT NỐI LẠI: bộ điều khiển gw-g1 (Tổ PCCC số 1) lúc 10:03 02/03");
        Assert.Equal(["opened", "resolved"], (await rig.Store.IncidentLogAsync(incident.Id, default)).Select(s => s.Step));

        // A gateway the aggregator never heard from (a registry entry not yet installed) raises nothing.
        time.Advance(TimeSpan.FromMinutes(10));
        await Status(rig, "gw-g1", online: true);
        await watch.StepAsync(default);
        Assert.Null(Offline(rig));
    }

    [Fact]
    public async Task TheWillSaysOfflineAtOnceAndAnOpenIncidentSurvivesARestartOfTheWatch()
    {
        var time = new FakeTimeProvider(MondayMorning);
        await using var rig = await StartAsync(time, Modem);
        var watch = rig.App.Services.GetRequiredService<GatewayWatch>();
        await Status(rig, "gw-g2", online: true);
        await Status(rig, "gw-g2", online: false); // the broker publishes the gateway's Will
        await watch.StepAsync(default);
        var incident = Offline(rig);
        Assert.NotNull(incident);
        Assert.Equal("g2", incident.Group);
        Assert.Contains("Will", (await rig.Store.IncidentLogAsync(incident.Id, default)).Single().Detail, StringComparison.Ordinal);

        // A second watch over the same database (an aggregator restart) knows the incident and doesn't open another.
        var again = ActivatorUtilities.CreateInstance<GatewayWatch>(rig.App.Services);
        await again.StepAsync(default);
        Assert.Equal(["gw-g2"], again.Offline);
        again.Seen("gw-g2");
        await again.StepAsync(default);
        Assert.Empty(await rig.Store.UnresolvedIncidentsAsync(GatewayWatch.Kind, default));
    }

    [Fact]
    public async Task AGatewayLastSeenOnlineBeforeARestartThatNeverSpeaksAgainIsNoticed()
    {
        var time = new FakeTimeProvider(MondayMorning);
        await using var rig = await StartAsync(time, Modem);
        // Stored by an earlier run of the aggregator: gw-g2 was online. This run has not heard from it.
        await rig.Store.SetGatewayStatusAsync("gw-g2", true, MondayMorning.AddHours(-1), default);
        var restarted = ActivatorUtilities.CreateInstance<GatewayWatch>(rig.App.Services);
        await restarted.StepAsync(default);
        Assert.Empty(restarted.Offline);
        time.Advance(TimeSpan.FromSeconds(46));
        await restarted.StepAsync(default);
        Assert.Equal(["gw-g2"], restarted.Offline);
        Assert.Equal("g2", Assert.Single(await rig.Store.UnresolvedIncidentsAsync(GatewayWatch.Kind, default)).Group);
    }

    [Fact]
    public async Task AGatewayThatOnlySendsMqttKeepalivesStaysOnline()
    {
        var time = new FakeTimeProvider(MondayMorning);
        await using var rig = await StartAsync(time, Modem);
        var watch = rig.App.Services.GetRequiredService<GatewayWatch>();
        using var gateway = new MqttClientFactory().CreateMqttClient();
        await gateway.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", rig.BrokerPort).WithClientId("gw-town-gw-g1")
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(1)).Build());
        await gateway.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Status("town", "gw-g1"))
            .WithPayload(ProtocolJson.Serialize(new GatewayStatus { Gateway = "gw-g1", Online = true })).Build());
        await Eventually.WaitAsync(() => rig.Store.ListGatewaysAsync(default).GetAwaiter().GetResult().Any(g => g.Gateway == "gw-g1" && g.Online), TimeSpan.FromSeconds(10), "the status stored");
        await watch.StepAsync(default);

        // Two minutes of the aggregator's time, in 5 s ticks, with only PINGREQs in between.
        for (var i = 0; i < 24; i++)
        {
            await Task.Delay(1300);
            time.Advance(GatewayWatch.Every);
            await watch.StepAsync(default);
        }

        Assert.Null(Offline(rig));

        // Then the connection drops without a Will (here: none was set): silence opens the incident.
        await gateway.DisconnectAsync();
        // The broker handles the DISCONNECT packet on its own; until it has, that packet still counts as a sign of life.
        var server = rig.App.Services.GetRequiredService<EmbeddedBroker>().Server!;
        await Eventually.WaitAsync(() => server.GetClientsAsync().GetAwaiter().GetResult().All(c => c.Id != "gw-town-gw-g1"), TimeSpan.FromSeconds(10), "the broker to drop the gateway");
        time.Advance(TimeSpan.FromSeconds(50));
        await watch.StepAsync(default);
        Assert.NotNull(Offline(rig));
    }
}
