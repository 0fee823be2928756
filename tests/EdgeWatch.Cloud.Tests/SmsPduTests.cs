using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Notify.Sms;
using EdgeWatch.Cloud.Site;

namespace EdgeWatch.Cloud.Tests;

public class SmsPduTests
{
    // The worked examples of Lars Pettersson's "SMS and the PDU format" (dreamfabric), the usual reference vectors.
    [Fact]
    public void Gsm7SubmitMatchesThePublishedExample() =>
        Assert.Equal("00" + "11000B916407281553F80000AA0AE8329BFD4697D9EC37", Assert.Single(SmsPdu.Submit("46708251358", "hellohello", gsm7: true, 0)).Hex);

    [Fact]
    public void DeliverDecodesThePublishedExample()
    {
        var sms = SmsPdu.Deliver("07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37");
        Assert.Equal(("27838890001", "hellohello"), (sms.From, sms.Text));
    }

    [Fact]
    public void VietnameseGoesAsUcs2AndItsLengthIsTheOctetsAfterTheSmscField()
    {
        const string text = "Cháy! Đường Nguyễn Trãi";
        var part = Assert.Single(SmsPdu.Submit("84900010101", text, gsm7: false, 0));
        Assert.Equal((part.Hex.Length / 2) - 1, part.Length);
        Assert.EndsWith(Convert.ToHexString(System.Text.Encoding.BigEndianUnicode.GetBytes(text)), part.Hex, StringComparison.Ordinal);
        Assert.Contains("0008AA", part.Hex, StringComparison.Ordinal); // PID 00, DCS 08 (UCS2), validity 4 days
    }

    [Theory]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    public void LongVietnameseIsSplitIn67CharacterPartsWithAConcatenationHeader(int length, int parts)
    {
        var text = string.Concat(Enumerable.Repeat("ệ", length));
        var pdus = SmsPdu.Submit("84900010101", text, gsm7: false, 42);
        Assert.Equal(parts, pdus.Count);
        Assert.Equal(parts, SmsPdu.Parts(text, gsm7: false));
        if (parts > 1)
        {
            for (var i = 0; i < parts; i++)
            {
                Assert.Contains($"0500032A{parts:X2}{i + 1:X2}", pdus[i].Hex, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Gsm7FallbackStripsTheDiacritics() =>
        Assert.Equal("CHAY tai So 12, hem 3 Nguyen Trai. Duong", Gsm7.Strip("CHÁY tại Số 12, hẻm 3 Nguyễn Trãi. Đường"));

    [Fact]
    public void Gsm7WithAHeaderRoundTripsThroughTheSeptetFill()
    {
        var text = new string('a', 200);
        var pdus = SmsPdu.Submit("84900010101", text, gsm7: true, 7);
        Assert.Equal(2, pdus.Count);

        // Our SMS-DELIVER decoder reads the same user data layout: rebuild a DELIVER around the first part's UD.
        // SUBMIT: SMSC(1) first(1) MR(1) DA length(1) type(1) DA(6) PID(1) DCS(1) VP(1), then UDL and UD.
        var submit = Convert.FromHexString(pdus[0].Hex);
        var userData = submit[14..];
        var deliver = Convert.ToHexString([0x00, 0x44, 0x0B, 0x91, .. Convert.FromHexString("4809001010F1"), 0x00, 0x00, .. new byte[7], .. userData]);
        Assert.Equal(new string('a', SmsPdu.Gsm7Part), SmsPdu.Deliver(deliver).Text);
    }

    [Fact]
    public void EveryDemoHouseholdsFireSmsFitsOneUcs2PartWithTheHouseholdAndGroup()
    {
        var town = DemoTown.Create("town", 56, 15);
        foreach (var group in town.Document.Groups)
        {
            foreach (var household in group.Households)
            {
                foreach (var language in new[] { "vi", "en" })
                {
                    var alert = new PersonAlert
                    {
                        Kind = "fire", Name = "x", Phone = "84900010101", Household = household.Id, Address = household.Address,
                        GroupName = group.Name, GroupShortName = group.ShortName, At = DateTimeOffset.UnixEpoch, Language = language,
                    };
                    var text = FireSms.Text(alert);
                    Assert.True(text.Length <= SmsPdu.Ucs2Single, $"{text.Length}: {text}");
                    Assert.Equal(1, SmsPdu.Parts(text, gsm7: false));
                    Assert.Contains(household.Address!.Split(", ")[0], text, StringComparison.Ordinal);
                    Assert.Contains(group.ShortName!, text, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public void AnAddressTooLongForOneSmsIsShortenedNotSplit()
    {
        var alert = new PersonAlert
        {
            Kind = "fire", Name = "x", Phone = "84900010101", Address = "Nhà số 1234 ngõ 56 ngách 78 đường Nguyễn Văn Linh kéo dài, phường Tân Thuận Đông",
            GroupShortName = "Tổ PCCC số 12", At = DateTimeOffset.UnixEpoch, Language = "vi",
        };
        var text = FireSms.Text(alert);
        Assert.True(text.Length <= SmsPdu.Ucs2Single, text);
        Assert.Contains("…", text, StringComparison.Ordinal);
        Assert.Contains("Tổ PCCC số 12", text, StringComparison.Ordinal);
    }
}

public class FireSmsCultureTests
{
    private static PersonAlert Heat(string language) => new()
    {
        Kind = "fire", Name = "Nguyễn Văn An", Phone = "84900010101", Address = "Số 6, hẻm 1 Nguyễn Trãi", GroupName = "Tổ liên gia PCCC số 1",
        At = new DateTimeOffset(2026, 3, 1, 22, 0, 0, TimeSpan.Zero), Celsius = 57.5, Language = language,
    };

    // 22:00 UTC on Sunday 1 March 2026 is 05:00 on Monday 2 March in Vietnam (UTC+7); 57.5 has a decimal comma there.
    [Fact]
    public void TheDetailsSmsWritesAVietnameseWeekdayDateAndDecimalComma() =>
        Assert.Equal(
            "EdgeWatch: báo cháy tại Số 6, hẻm 1 Nguyễn Trãi, Tổ liên gia PCCC số 1, lúc 05:00 Thứ Hai 02/03/2026 (nhiệt độ 57,5 °C). Hãy giúp hàng xóm thoát ra và gọi 114. Trả lời 1 hoặc OK để xác nhận đã biết.",
            FireSms.DetailsText(Heat("vi")));

    [Fact]
    public void TheEnglishDetailsSmsWritesAnEnglishWeekdayAndDecimalPoint() =>
        Assert.Contains("at 05:00 Monday 02/03/2026 (temperature 57.5 °C)", FireSms.DetailsText(Heat("en")), StringComparison.Ordinal);
}
