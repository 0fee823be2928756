using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Notify.Email;
using EdgeWatch.Cloud.Notify.Sms;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Emulators;
using EdgeWatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using MQTTnet;

namespace EdgeWatch.Cloud.Tests;

/// <summary>Email through a real SMTP server that is not ours (Debian's aiosmtpd), its refusals, and the fallback.</summary>
[Trait("Category", "Integration")]
public sealed class SmtpChannelTests : IDisposable
{
    private readonly AioSmtpd _smtp = new();

    public void Dispose() => _smtp.Dispose();

    private Dictionary<string, string?> Settings(string timeout = "00:00:10") => new()
    {
        ["Notify:Smtp:Host"] = AioSmtpd.Host,
        ["Notify:Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Notify:Smtp:Security"] = "None",
        ["Notify:Smtp:From"] = "EdgeWatch <canhbao@phuong-an-phu.example>",
        ["Notify:Smtp:Timeout"] = timeout,
        ["Notify:FallbackAfter"] = "00:00:05",
        ["Notify:Modem:CommandTimeout"] = "00:00:03",
        ["Notify:Modem:StatusInterval"] = "00:00:01",
    };


    /// <summary>Group g1 alone, its first household, each member on email at the address <paramref name="address"/> gives.</summary>
    private static Action<SiteDocument> OnEmail(Func<int, string> address, params string[] channels) => site =>
    {
        site.Groups.RemoveRange(1, site.Groups.Count - 1);
        site.Groups[0].Households.RemoveRange(1, site.Groups[0].Households.Count - 1);
        var members = site.Groups[0].Households[0].Members;
        for (var i = 0; i < members.Count; i++)
        {
            members[i].Email = address(i);
            members[i].Channels = [.. channels];
        }
    };

    private static List<MemberDocument> Members(CloudRig rig) =>
        [.. rig.App.Services.GetRequiredService<SiteRegistry>().Current.Group("g1")!.Households[0].Members];

    private List<MimeMessage> Received() => [.. _smtp.Mails().Select(f => MimeMessage.Load(f))];

    private static List<Storage.OutboxMessage> Rows(CloudRig rig, FireEvent alarm, string channel) =>
        [.. rig.Store.ListNotificationsAsync(alarm.Id, 100, default).GetAwaiter().GetResult().Where(r => r.Channel == channel)];

    [Fact]
    public async Task EveryMemberOnEmailGetsAVietnameseMailAddressedToThemWithTheDetailsAndAnAcknowledgementLink()
    {
        await using var rig = await CloudRig.StartAsync(
            extra: new Dictionary<string, string?>(Settings()) { ["Notify:PublicUrl"] = "https://canhbao.example" },
            site: OnEmail(i => $"thanhvien{i}@example.vn", "email"));
        var members = Members(rig);
        var alarm = EventStoreTests.Alarm() with { Household = "h1" };
        await rig.FireAsync(alarm);

        await Eventually.WaitAsync(() => Rows(rig, alarm, SmtpChannel.ChannelName) is { Count: > 0 } rows && rows.Count == members.Count && rows.All(r => r.Status == "delivered"),
            TimeSpan.FromSeconds(30), "every member's mail delivered");
        var mails = Received();
        Assert.Equal(members.Select(m => m.Email).Order(), mails.Select(m => m.To.Mailboxes.Single().Address).Order());
        var household = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Group("g1")!.Households[0];
        foreach (var member in members)
        {
            var mail = mails.Single(m => m.To.Mailboxes.Single().Address == member.Email);
            Assert.Equal(member.Name, mail.To.Mailboxes.Single().Name);
            Assert.Equal("canhbao@phuong-an-phu.example", mail.From.Mailboxes.Single().Address);
            Assert.StartsWith($"CHÁY tại {household.Address!.Split(", ")[0]}", mail.Subject, StringComparison.Ordinal);
            Assert.StartsWith($"Kính gửi {member.Name},", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains($"báo cháy tại {household.Address}", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains("Mở https://canhbao.example/ack/", mail.TextBody, StringComparison.Ordinal);
            Assert.DoesNotContain("Trả lời 1", mail.TextBody, StringComparison.Ordinal); // nobody reads a reply to a mail
        }

        // One Message-ID per person and incident: the outbox's idempotency key.
        Assert.Equal(members.Count, mails.Select(m => m.MessageId).Distinct().Count());
        Assert.All(mails, m => Assert.StartsWith(alarm.Id.ToString("N"), m.MessageId, StringComparison.Ordinal));
        Assert.Empty(await rig.Store.UnreachedAsync(alarm.Id, default));
    }

    [Fact]
    public async Task A550FallsBackToTheNextChannelAndA451IsRetriedWithoutGivingUp()
    {
        var dir = Eventually.TempDirectory("edgewatch-modem");
        await using var modem = await ModemEmulator.StartAsync(dir);
        modem.SendDelay = TimeSpan.FromMilliseconds(100);
        await using var rig = await CloudRig.StartAsync(modems: [modem], extra: Settings(), site: site =>
        {
            OnEmail(i => i == 0 ? "refuse-me@example.vn" : $"later-{i}@example.vn", "email", "sms")(site);
            site.Groups[0].Households[0].Members.RemoveRange(2, site.Groups[0].Households[0].Members.Count - 2);
        });
        var members = Members(rig);
        var alarm = EventStoreTests.Alarm() with { Household = "h1" };
        await rig.FireAsync(alarm);

        // The 550: refused for good at once, and the SMS goes out in the same step.
        var refusedPhone = PhoneNumber.Normalise(members[0].Phone);
        await Eventually.WaitAsync(() => modem.Messages.Any(m => m.Destination == refusedPhone), TimeSpan.FromSeconds(30), "the SMS after the refused mail");
        var refused = Rows(rig, alarm, SmtpChannel.ChannelName).Single(r => r.Destination == "refuse-me@example.vn");
        Assert.Equal("failed", refused.Status);
        Assert.Equal(1, refused.Attempts);
        Assert.Contains("SMTP 550 recipient refused", refused.LastError, StringComparison.Ordinal);
        await Eventually.WaitAsync(() => rig.Store.ListNotificationsAsync(alarm.Id, 100, default).GetAwaiter().GetResult()
            .Any(r => r.Channel == SmsChannel.ChannelName && r.Destination == refusedPhone && r.Status == "delivered"), TimeSpan.FromSeconds(10), "the SMS row delivered");
        Assert.DoesNotContain(await rig.Store.UnreachedAsync(alarm.Id, default), u => u.Name == members[0].Name); // the SMS reached them

        // The 451: retried with backoff, and not counted as sent.
        await Eventually.WaitAsync(() => Rows(rig, alarm, SmtpChannel.ChannelName).Single(r => r.Destination == "later-1@example.vn").Attempts >= 2,
            TimeSpan.FromSeconds(30), "the 451 retried");
        var later = Rows(rig, alarm, SmtpChannel.ChannelName).Single(r => r.Destination == "later-1@example.vn");
        Assert.Contains("SMTP 451", later.LastError, StringComparison.Ordinal);
        Assert.False(later.PossibleDuplicate);
        Assert.Empty(_smtp.Mails());
        rig.App.Services.GetRequiredService<SmtpChannel>(); // resolvable as itself, as the demo and health use it
    }

    [Fact]
    public async Task AMailWhoseAnswerNeverComesAfterDataIsRetriedAndFlaggedAPossibleDuplicate()
    {
        await using var rig = await CloudRig.StartAsync(extra: Settings(timeout: "00:00:02"), site: site =>
        {
            OnEmail(_ => "hang@example.vn", "email")(site);
            site.Groups[0].Households[0].Members.RemoveRange(1, site.Groups[0].Households[0].Members.Count - 1);
        });
        var alarm = EventStoreTests.Alarm() with { Household = "h1" };
        await rig.FireAsync(alarm);

        // The first attempt times out; the next one goes while the first may have delivered, so it is flagged.
        await Eventually.WaitAsync(() => Rows(rig, alarm, SmtpChannel.ChannelName).Single() is { Attempts: >= 1, LastError: not null, PossibleDuplicate: true },
            TimeSpan.FromSeconds(30), "the timed-out send retried and flagged");
        var row = Rows(rig, alarm, SmtpChannel.ChannelName).Single();
        Assert.NotEqual("delivered", row.Status);
        Assert.Contains("no answer within 2 s", row.LastError, StringComparison.Ordinal);
        Assert.NotEmpty(_smtp.Mails()); // it did reach the server: the flag is the truth
    }

    [Fact]
    public void TheEmailChannelNeedsAValidAddressAndTheErrorNamesTheField()
    {
        var doc = DemoTown.Create("town", 1, 2).Document;
        doc.Groups[0].Households[0].Members[0].Channels = ["email", "sms"];
        doc.Groups[0].Households[1].Members[0].Email = "not an address";
        var errors = SiteValidator.Validate(doc);
        Assert.Contains(errors, e => e.Field == "groups[0].households[0].members[0].email" && e.Message.Contains("required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "groups[0].households[1].members[0].email" && e.Message.Contains("'not an address'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMotionMailToTheZonesOfficerCarriesTheMaskedSnapshotAsAnImageOrGoesWithTheLinkWhenNoneArrives()
    {
        const string officerMail = "dai-uy.hai@congan-hoaan.example";
        string? officer = null;
        await using var rig = await CloudRig.StartAsync(
            withStaff: true,
            extra: new Dictionary<string, string?>(Settings()) { ["Notify:PublicUrl"] = "https://canhbao.example", ["Notify:Smtp:SnapshotWait"] = "00:00:02" },
            site: site =>
            {
                // The lane's cameras name its area officers; the first of them, on duty around the clock here, reads mail.
                var zones = site.Cameras.Where(c => c.Gateway == "gw-g1").Select(c => c.Zones[0]).ToList();
                var day = site.Staff.Single(s => s.Name == zones[0].Officers[0]);
                (day.Channels, day.Email) = (["email"], officerMail);
                day.Shifts = [new ShiftDocument { Days = [.. SiteValidator.Days], From = "00:00", To = "24:00", Level = 1 }];
                zones.ForEach(z => z.Officers = [day.Name]);
                officer = day.Name;
            });
        var camera = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Camera("gw-g1", "cam-1")!;
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 2, 3, 0xFF, 0xD9];

        var first = await rig.MotionAsync(DateTimeOffset.UtcNow, camera: "cam-1");
        // The snapshot follows its event, in pieces: the mail waits for it (a retry that says so) until it is stored.
        await Eventually.WaitAsync(
            () => rig.Store.ListNotificationsAsync(null, 100, default).GetAwaiter().GetResult().Any(r => r.LastError?.Contains("waiting for the motion snapshot", StringComparison.Ordinal) == true),
            TimeSpan.FromSeconds(10), "the motion mail waiting for its snapshot");
        await rig.Store.InsertSnapshotAsync(first.EventId, "gw-g1", 9001, jpeg, DateTimeOffset.UtcNow, default);
        await Eventually.WaitAsync(() => Received().Count == 1, TimeSpan.FromSeconds(20), "the officer's motion mail");

        var mail = Received()[0];
        Assert.Equal(officerMail, mail.To.Mailboxes.Single().Address);
        Assert.Equal(officer, mail.To.Mailboxes.Single().Name);
        Assert.StartsWith($"CHUYỂN ĐỘNG: {camera.Name}, vùng {camera.Zones[0].Name}", mail.Subject, StringComparison.Ordinal);
        Assert.Contains($"https://canhbao.example/snapshots/{first.EventId:N}?s=", mail.TextBody, StringComparison.Ordinal);
        var image = Assert.Single(mail.Attachments.OfType<MimePart>());
        Assert.Equal("image/jpeg", image.ContentType.MimeType);
        using var bytes = new MemoryStream();
        Assert.NotNull(image.Content);
        await image.Content.DecodeToAsync(bytes);
        Assert.Equal(jpeg, bytes.ToArray());

        // No snapshot ever comes (the gateway's link broke): the mail goes after the wait with the link alone.
        var second = await rig.MotionAsync(DateTimeOffset.UtcNow, camera: "cam-2");
        await Eventually.WaitAsync(() => Received().Count == 2, TimeSpan.FromSeconds(20), "the second motion mail");
        var bare = Received()[1];
        Assert.Empty(bare.Attachments);
        Assert.Contains($"/snapshots/{second.EventId:N}?s=", bare.TextBody, StringComparison.Ordinal);
    }
}
