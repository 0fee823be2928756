using System.Globalization;
using EdgeWatch.Cloud.Notify.Sms;

namespace EdgeWatch.Cloud.Notify;

/// <summary>
/// What a technician reads about the system itself (a gateway offline, back online, a trouble, its clearing), Vietnamese by default and
/// English on request, in one UCS2 SMS part (70 characters) with the local time in <c>Asia/Ho_Chi_Minh</c>.
/// </summary>
public static class OperationsMessage
{
    /// <summary>The text, or null when the alert is not about the system (a fire, its all clear).</summary>
    public static string? Text(PersonAlert alert)
    {
        var at = TimeZoneInfo.ConvertTime(alert.At, VietnamTime.Zone).ToString("HH:mm dd/MM", CultureInfo.InvariantCulture);
        var group = alert.GroupShortName ?? alert.GroupName ?? "?";
        var text = (alert.Kind, alert.English) switch
        {
            (PersonAlert.Offline, false) => $"MẤT KẾT NỐI: bộ điều khiển {alert.Gateway} ({group}) im lặng từ {at}",
            (PersonAlert.Offline, true) => $"OFFLINE: gateway {alert.Gateway} ({group}) silent since {at}",
            (PersonAlert.Online, false) => $"ĐÃ KẾT NỐI LẠI: bộ điều khiển {alert.Gateway} ({group}) lúc {at}",
            (PersonAlert.Online, true) => $"BACK ONLINE: gateway {alert.Gateway} ({group}) at {at}",
            (PersonAlert.Trouble, false) => $"SỰ CỐ {Cause(alert.Cause, false)}: {alert.Source} ({group}) lúc {at}",
            (PersonAlert.Trouble, true) => $"TROUBLE {Cause(alert.Cause, true)}: {alert.Source} ({group}) at {at}",
            (PersonAlert.TroubleCleared, false) => $"ĐÃ KHẮC PHỤC sự cố tại {alert.Gateway} ({group}) lúc {at}",
            (PersonAlert.TroubleCleared, true) => $"RESOLVED: trouble at {alert.Gateway} ({group}) at {at}",
            (PersonAlert.ChannelFailing, false) => $"KÊNH LỖI: {alert.Source} từ {at}: {alert.Cause}",
            (PersonAlert.ChannelFailing, true) => $"CHANNEL FAILING: {alert.Source} since {at}: {alert.Cause}",
            (PersonAlert.ChannelRecovered, false) => $"KÊNH ĐÃ HOẠT ĐỘNG LẠI: {alert.Source} lúc {at}",
            (PersonAlert.ChannelRecovered, true) => $"CHANNEL BACK: {alert.Source} at {at}",
            (PersonAlert.SelfTest, false) => $"TỰ KIỂM TRA {at}: EdgeWatch chạy. {alert.Summary}",
            (PersonAlert.SelfTest, true) => $"SELF-TEST {at}: EdgeWatch is up. {alert.Summary}",
            (PersonAlert.Motion, false) => $"CHUYỂN ĐỘNG: {alert.CameraName ?? alert.Camera}, vùng {alert.ZoneName ?? alert.Zone}{InGroup(alert)} lúc {at}",
            (PersonAlert.Motion, true) => $"MOTION: {alert.CameraName ?? alert.Camera}, zone {alert.ZoneName ?? alert.Zone}{InGroup(alert)} at {at}",
            _ => null,
        };
        if (alert.Kind == PersonAlert.Motion && text is not null)
        {
            // Not a fire: a second SMS part for the snapshot's link is worth it.
            return alert.SnapshotLink is { } photo ? text + (alert.English ? $". Photo: {photo}" : $". Ảnh: {photo}") : text;
        }

        return text is { Length: > SmsPdu.Ucs2Single } ? text[..SmsPdu.Ucs2Single] : text;
    }

    /// <summary>The group in brackets after a place (a town camera watches no group's lanes: nothing).</summary>
    private static string InGroup(PersonAlert alert) => (alert.GroupShortName ?? alert.GroupName) is { } group ? $" ({group})" : "";

    /// <summary>A gateway's trouble cause as a technician says it; an unknown cause as it came.</summary>
    public static string Cause(string? cause, bool english) => (cause, english) switch
    {
        ("loop-open", false) => "hở mạch",
        ("loop-open", true) => "open circuit",
        ("loop-short", false) => "chập mạch",
        ("loop-short", true) => "short circuit",
        ("probe-lost", false) => "mất đầu dò nhiệt",
        ("probe-lost", true) => "heat probe lost",
        ("siren-no-feedback", false) => "còi không phản hồi",
        ("siren-no-feedback", true) => "siren no feedback",
        ("output-write-failed", false) => "lỗi điều khiển còi",
        ("output-write-failed", true) => "siren output failed",
        ("input-read-failed", false) => "lỗi đọc đầu vào",
        ("input-read-failed", true) => "input read failed",
        ("mains-failure", false) => "mất điện lưới",
        ("mains-failure", true) => "mains failure",
        ("tamper", false) => "bị mở vỏ",
        ("tamper", true) => "tamper",
        ("storage", false) => "lỗi bộ nhớ",
        ("storage", true) => "storage fault",
        ("config", false) => "lỗi cấu hình",
        ("config", true) => "configuration fault",
        ("camera-process-failed", false) => "lỗi camera",
        ("camera-process-failed", true) => "camera failed",
        ("camera-frozen", false) => "camera đứng hình",
        ("camera-frozen", true) => "camera picture frozen",
        ("camera-no-picture", false) => "camera mất hình",
        ("camera-no-picture", true) => "camera shows no picture",
        ("camera-torn", false) => "hình camera bị xé",
        ("camera-torn", true) => "camera picture torn",
        ("uplink-refused", false) => "máy chủ từ chối",
        ("uplink-refused", true) => "uplink refused",
        _ => cause ?? "?",
    };
}
