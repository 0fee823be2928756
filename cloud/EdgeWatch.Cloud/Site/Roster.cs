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

    /// <summary>
    /// The officers to tell about a zone at <paramref name="level"/>: those the zone names who are on shift at that
    /// level; when it names none, or none of them is on shift, every officer on shift at that level (nobody is left
    /// out because a zone's own officers are off).
    /// </summary>
    public static IReadOnlyList<StaffDocument> OnDutyFor(SiteDocument site, ZoneDocument? zone, string role, int level, DateTimeOffset at)
    {
        var onDuty = OnDuty(site, role, level, at);
        if (zone is not { Officers.Count: > 0 })
        {
            return onDuty;
        }

        var theirs = onDuty.Where(s => zone.Officers.Contains(s.Name, StringComparer.Ordinal)).ToList();
        return theirs.Count > 0 ? theirs : onDuty;
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
