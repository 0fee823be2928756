namespace EdgeWatch.Cloud.Site;

/// <summary>
/// Who is on duty: the staff whose shift covers a moment, in <c>Asia/Ho_Chi_Minh</c> time. A shift from 19:00 to
/// 07:00 belongs to the day it starts on and runs past midnight into the next.
/// </summary>
public static class Roster
{
    public static IReadOnlyList<StaffDocument> OnDuty(SiteDocument site, string role, int level, DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Notify.VietnamTime.Zone);
        return [.. site.Staff.Where(s => s.Role == role && s.Shifts.Any(shift => shift.Level == level && Covers(shift, local)))];
    }

    /// <summary>The highest escalation level any shift of <paramref name="role"/> has.</summary>
    public static int TopLevel(SiteDocument site, string role) =>
        site.Staff.Where(s => s.Role == role).SelectMany(s => s.Shifts).Select(s => s.Level).DefaultIfEmpty(0).Max();

    private static bool Covers(ShiftDocument shift, DateTimeOffset local)
    {
        if (!ShiftTime.TryParse(shift.From, out var from) || !ShiftTime.TryParse(shift.To, out var to))
        {
            return false;
        }

        var time = local.TimeOfDay;
        var today = Day(local.DayOfWeek);
        var yesterday = Day(local.AddDays(-1).DayOfWeek);
        return from <= to
            ? shift.Days.Contains(today) && time >= from && time < to
            : (shift.Days.Contains(today) && time >= from) || (shift.Days.Contains(yesterday) && time < to);
    }

    private static string Day(DayOfWeek day) => SiteValidator.Days[((int)day + 6) % 7];
}
