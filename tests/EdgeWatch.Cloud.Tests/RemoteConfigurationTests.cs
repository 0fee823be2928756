using System.Net.Http.Json;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Cloud.Tests;

[Trait("Category", "Integration")]
public class RemoteConfigurationTests
{
    private static async Task<ReportedConfig?> ReportedAsync(HttpClient http, long version)
    {
        var response = await http.GetAsync(new Uri("/api/gateways/gw-g1/config/reported", UriKind.Relative));
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var report = ProtocolJson.DeserializeReportedConfig(await response.Content.ReadAsByteArrayAsync());
        return report.RequestedVersion == version ? report : null;
    }

    [Fact]
    public async Task DesiredConfigurationIsValidatedAppliedPersistedAndReported()
    {
        await using var cloud = await CloudRig.StartAsync();
        var state = Eventually.TempDirectory("edgewatch-gw");
        var settings = GatewayHost.SimulatedSettings("town", "gw-g1", "g1", cloud.BrokerPort, state);
        using var http = cloud.Http(CloudRig.AdminToken);
        ReportedConfig? report = null;

        using (var gateway = GatewayHost.Create([], settings, b => b.SetMinimumLevel(LogLevel.Warning)))
        {
            await gateway.StartAsync();
            var engine = gateway.Services.GetRequiredService<FireSafetyEngine>();
            await Eventually.WaitAsync(() => gateway.Services.GetRequiredService<MqttUplink>().Connected, TimeSpan.FromSeconds(10), "the uplink");

            // A bad document is rejected with a reason per key, and the running configuration stays.
            var bad = new DesiredConfig
            {
                Version = 1,
                FireSafety = new FireSafetyConfig { HeatThresholdCelsius = 90, SilenceSeconds = 120 },
                Cameras = [new CameraConfig { Id = "cam-1", Zones = [new ZoneConfig { Id = "yard", Polygon = [[0, 0], [1, 0]], Armed = ["25:00-05:00"] }] }],
            };
            Assert.True((await http.PutAsJsonAsync(new Uri("/api/gateways/gw-g1/config", UriKind.Relative), bad, ProtocolJsonContext.Default.DesiredConfig)).IsSuccessStatusCode);
            await Eventually.WaitAsync(() => (report = ReportedAsync(http, 1).GetAwaiter().GetResult()) is not null, TimeSpan.FromSeconds(10), "the rejection report");
            Assert.False(report!.Applied);
            Assert.Contains(report.Errors, e => e.Contains("HeatThresholdCelsius", StringComparison.Ordinal));
            Assert.Contains(report.Errors, e => e.Contains("cameras[0].zones[0].polygon", StringComparison.Ordinal));
            Assert.Contains(report.Errors, e => e.Contains("25:00-05:00", StringComparison.Ordinal));
            Assert.Equal(TimeSpan.FromMinutes(5), engine.Options.SilenceDuration);
            Assert.Equal(58, engine.Options.HeatThresholdCelsius);

            // A good one is applied without a restart.
            var good = new DesiredConfig
            {
                Version = 2,
                FireSafety = new FireSafetyConfig { HeatThresholdCelsius = 60, SilenceSeconds = 120 },
                Cameras = [new CameraConfig { Id = "cam-1", Zones = [new ZoneConfig { Id = "yard", Polygon = [[0, 0], [1, 0], [1, 1]], Armed = ["22:00-05:00"] }] }],
            };
            await http.PutAsJsonAsync(new Uri("/api/gateways/gw-g1/config", UriKind.Relative), good, ProtocolJsonContext.Default.DesiredConfig);
            await Eventually.WaitAsync(() => (report = ReportedAsync(http, 2).GetAwaiter().GetResult()) is not null, TimeSpan.FromSeconds(10), "the applied report");
            Assert.True(report!.Applied);
            Assert.Equal(2, report.RunningVersion);
            Assert.Equal(TimeSpan.FromSeconds(120), engine.Options.SilenceDuration);
            Assert.Equal(60, engine.Options.HeatThresholdCelsius);
            await gateway.StopAsync();
        }

        // It survives a reboot, even with no broker to send it again.
        settings["Mqtt:Enabled"] = "false";
        using (var rebooted = GatewayHost.Create([], settings, b => b.SetMinimumLevel(LogLevel.Warning)))
        {
            await rebooted.StartAsync();
            var engine = rebooted.Services.GetRequiredService<FireSafetyEngine>();
            Assert.Equal(TimeSpan.FromSeconds(120), engine.Options.SilenceDuration);
            Assert.Equal(60, engine.Options.HeatThresholdCelsius);
            await rebooted.StopAsync();
        }
    }
}
