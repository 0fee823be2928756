using EdgeWatch.Cloud.Incidents;
using EdgeWatch.Cloud.Notify.Sms;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Emulators;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EdgeWatch.Cloud.Tests;

/// <summary>The daily self-test message to the technicians: once a day at 08:00 Vietnam time, with each channel's state.</summary>
[Trait("Category", "Integration")]
public sealed class DailySelfTestTests : ModemTest
{
    // Monday 2 March 2026, 07:58 in Vietnam.
    private static readonly DateTimeOffset BeforeEight = new(2026, 3, 2, 0, 58, 0, TimeSpan.Zero);

    private List<ReceivedSms> SelfTests() => [.. Modem.Messages.Where(m => m.Text.StartsWith("TỰ KIỂM TRA", StringComparison.Ordinal))];

    [Fact]
    public async Task AtEightTheTechniciansOnShiftHearThatEachChannelIsUpOnceADayEvenAcrossARestart()
    {
        var time = new FakeTimeProvider(BeforeEight);
        await using var rig = await CloudRig.StartAsync(time: time, modems: [Modem], withStaff: true,
            extra: new Dictionary<string, string?> { ["Notify:Modem:StatusInterval"] = "00:00:01", ["Notify:OfflineAfter"] = "00:30:00",
                // The fake clock jumps hours at once; a status poll in flight during a jump must not count as a stuck modem.
                ["Notify:Modem:CommandTimeout"] = "2.00:00:00" });
        var pool = rig.App.Services.GetRequiredService<ModemPool>();
        await Eventually.WaitAsync(() => pool.Status.Single() is { Registered: true, Fault: null }, TimeSpan.FromSeconds(10), "the modem registered");
        var selfTest = rig.App.Services.GetRequiredService<DailySelfTest>();
        var technicians = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Document.Staff.Where(s => s.Role == "technician")
            .Select(s => Notify.PhoneNumber.Normalise(s.Phone)!).Order().ToList();

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(await selfTest.StepAsync(default)); // 07:59
        time.Advance(TimeSpan.FromMinutes(1));
        await selfTest.StepAsync(default); // 08:00: this call or the service's own tick sends it
        await Eventually.WaitAsync(() => Ticked(time) && SelfTests().Count == 2, TimeSpan.FromSeconds(20), "the self-test SMS to both technicians");
        Assert.Equal(technicians, SelfTests().Select(m => m.Destination).Order());
        Assert.All(SelfTests(), m => Assert.Equal("TỰ KIỂM TRA 08:00 02/03: EdgeWatch chạy. Zalo tắt, SMS 1/1, email tắt", m.Text));

        // Not again that day, nor from a restarted aggregator (it reads the last one back).
        time.Advance(TimeSpan.FromHours(1));
        Assert.False(await selfTest.StepAsync(default));
        Assert.False(await ActivatorUtilities.CreateInstance<DailySelfTest>(rig.App.Services).StepAsync(default));

        // The next morning, again.
        time.Advance(TimeSpan.FromHours(23));
        await selfTest.StepAsync(default);
        await Eventually.WaitAsync(() => Ticked(time) && SelfTests().Count == 4, TimeSpan.FromSeconds(20), "the second day's self-test");
        Assert.All(SelfTests().Skip(2), m => Assert.Contains(" 03/03: ", m.Text, StringComparison.Ordinal));
        Assert.Equal(2, (await rig.Store.RecentIncidentsAsync(DailySelfTest.Kind, 10, default)).Count(i => i.Status == "resolved"));
    }
}
