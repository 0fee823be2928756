using System.Globalization;

namespace EdgeWatch.Cloud.Notify.Sms;

/// <summary>
/// The fire SMS. The first always fits one UCS2 part (70 characters) with the household and the group, so one modem
/// reaches a group's SMS-only members fast: the address is cut to its first parts (<c>Số 12, hẻm 3 Nguyễn Trãi</c>),
/// then shortened, to fit. The details (full address, group, time) follow in a second message, sent after every
/// first message.
/// </summary>
public static class FireSms
{
    public static string Text(PersonAlert alert)
    {
        if (OperationsMessage.Text(alert) is { } operations)
        {
            return operations;
        }

        var group = alert.GroupShortName ?? alert.GroupName ?? "?";
        string Render(string place) => (alert.Kind, alert.English) switch
        {
            (PersonAlert.AllClear, true) => $"ALL CLEAR at {place} ({group}). The alarm is over",
            (PersonAlert.AllClear, false) => $"ĐÃ AN TOÀN tại {place} ({group}). Hết báo cháy",
            (_, true) => $"FIRE at {place} ({group}). Get out, call 114",
            _ => $"CHÁY tại {place} ({group}). Thoát ra, gọi 114",
        };

        var parts = (alert.Address ?? alert.Household ?? "?").Split(", ");
        for (var n = Math.Min(parts.Length, 2); n >= 1; n--)
        {
            if (Render(string.Join(", ", parts[..n])) is { Length: <= SmsPdu.Ucs2Single } fits)
            {
                return fits;
            }
        }

        var room = SmsPdu.Ucs2Single - Render("").Length - 1;
        var shortened = Render(room > 0 ? parts[0][..Math.Min(parts[0].Length, room)] + "…" : "…");
        return shortened.Length <= SmsPdu.Ucs2Single ? shortened : shortened[..SmsPdu.Ucs2Single];
    }

    /// <summary>
    /// The second message: the full address, the group, the local time with its weekday, and the heat reading, written
    /// in the person's culture (<c>vi-VN</c>: <c>05:00 Thứ Hai 02/03/2026</c>, <c>57,5 °C</c>).
    /// </summary>
    public static string DetailsText(PersonAlert alert, bool smsReply = true)
    {
        var culture = CultureInfo.GetCultureInfo(alert.English ? "en-GB" : "vi-VN");
        var when = TimeZoneInfo.ConvertTime(alert.At, VietnamTime.Zone).ToString("HH:mm dddd dd/MM/yyyy", culture);
        var reading = alert.Celsius is { } c ? string.Format(culture, alert.English ? " (temperature {0:0.#} °C)" : " (nhiệt độ {0:0.#} °C)", c) : "";
        var ack = (alert.English, smsReply, alert.AckLink) switch
        {
            (true, true, _) => " Reply 1 or OK to acknowledge" + (alert.AckLink is { } l ? $", or open {l}" : "") + ".",
            (false, true, _) => " Trả lời 1 hoặc OK để xác nhận đã biết" + (alert.AckLink is { } v ? $", hoặc mở {v}" : "") + ".",
            (true, false, { } link) => $" Open {link} to acknowledge.",
            (false, false, { } link) => $" Mở {link} để xác nhận đã biết.",
            _ => "",
        };
        return alert.English
            ? $"EdgeWatch: fire alarm at {alert.Address ?? alert.Household}, {alert.GroupName}, at {when}{reading}. Help your neighbours get out; call 114.{ack}"
            : $"EdgeWatch: báo cháy tại {alert.Address ?? alert.Household}, {alert.GroupName}, lúc {when}{reading}. Hãy giúp hàng xóm thoát ra và gọi 114.{ack}";
    }
}
