using EdgeWatch.Gateway.Motion;

namespace EdgeWatch.Gateway.Cameras;

/// <summary>Whether a camera zone is armed now: a manual override from the arm/disarm commands, else its schedule.</summary>
public static class ArmingSchedule
{
    public static bool IsArmed(ZoneOptions zone, TimeOnly localNow, bool? manualOverride)
    {
        if (manualOverride is { } manual)
        {
            return manual;
        }

        foreach (var window in zone.Armed)
        {
            if (window == "always")
            {
                return true;
            }

            var parts = window.Split('-');
            var from = TimeOnly.ParseExact(parts[0], "HH:mm", System.Globalization.CultureInfo.InvariantCulture);
            var to = TimeOnly.ParseExact(parts[1], "HH:mm", System.Globalization.CultureInfo.InvariantCulture);
            if (localNow.IsBetween(from, to))
            {
                return true;
            }
        }

        return false;
    }
}
