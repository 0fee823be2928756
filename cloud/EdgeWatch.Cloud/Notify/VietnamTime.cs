namespace EdgeWatch.Cloud.Notify;

/// <summary>The site's time zone, <c>Asia/Ho_Chi_Minh</c>; fixed UTC+7 (no daylight saving) without system zone data.</summary>
public static class VietnamTime
{
    public const string ZoneId = "Asia/Ho_Chi_Minh";

    public static TimeZoneInfo Zone { get; } = Find();

    private static TimeZoneInfo Find()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(ZoneId);
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.CreateCustomTimeZone(ZoneId, TimeSpan.FromHours(7), ZoneId, ZoneId);
        }
    }
}
