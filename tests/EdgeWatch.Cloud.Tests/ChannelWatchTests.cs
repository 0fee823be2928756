using EdgeWatch.Cloud.Incidents;
using EdgeWatch.Emulators;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace EdgeWatch.Cloud.Tests;

/// <summary>A channel that stops working (here: the only modem off the network) is told to the technicians through another one.</summary>
[Trait("Category", "Integration")]
public sealed class ChannelWatchTests : ModemTest
{
    private readonly AioSmtpd _smtp = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _smtp.Dispose();
    }

    private List<string> Subjects() => [.. _smtp.Mails().Select(f => MimeMessage.Load(f).Subject ?? "")];

    [Fact]
    public async Task AModemOffTheNetworkIsToldToTheTechniciansByEmailAndItsReturnToo()
    {
        await using var rig = await CloudRig.StartAsync(modems: [Modem], withStaff: true, site: site =>
        {
            site.RemoveStaff(s => s.Role != "technician");
            for (var i = 0; i < site.Staff.Count; i++)
            {
                site.Staff[i].Channels = ["sms", "email"];
                site.Staff[i].Email = $"kythuat{i}@an-phu.example";
            }
        }, extra: new Dictionary<string, string?>
        {
            ["Notify:Modem:StatusInterval"] = "00:00:01",
            ["Notify:ChannelFailingFor"] = "00:00:02",
            ["Notify:Smtp:Host"] = AioSmtpd.Host,
            ["Notify:Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notify:Smtp:Security"] = "None",
        });
        var watch = rig.App.Services.GetRequiredService<ChannelWatch>();
        await Eventually.WaitAsync(() => watch.Failing().Count == 0, TimeSpan.FromSeconds(10), "the modem ready");

        Modem.Registered = false;
        await Eventually.WaitAsync(() => Subjects().Count(s => s.StartsWith("KÊNH LỖI: SMS", StringComparison.Ordinal)) == 2, TimeSpan.FromSeconds(30), "a mail to each technician");
        Assert.All(Subjects(), s => Assert.Contains("not registered", s, StringComparison.Ordinal));
        Assert.Empty(Modem.Messages); // not by the channel that is failing
        var incident = Assert.Single(await rig.Store.UnresolvedIncidentsAsync(ChannelWatch.Kind, default));

        Modem.Registered = true;
        await Eventually.WaitAsync(() => Subjects().Count(s => s.StartsWith("KÊNH ĐÃ HOẠT ĐỘNG LẠI: SMS", StringComparison.Ordinal)) == 2, TimeSpan.FromSeconds(30), "the mail that it works again");
        Assert.Equal("resolved", (await rig.Store.GetIncidentAsync(incident.Id, default))!.Status);
    }
}
