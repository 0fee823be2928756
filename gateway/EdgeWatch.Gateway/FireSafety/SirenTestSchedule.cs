using EdgeWatch.Gateway.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.FireSafety;

/// <summary>The weekly siren test (section <c>SirenTest</c>): by default Sundays 09:00 in Vietnam, 5 s.</summary>
public sealed class SirenTestScheduleOptions
{
    public const string Section = "SirenTest";

    public bool Enabled { get; set; } = true;
    public DayOfWeek Day { get; set; } = DayOfWeek.Sunday;
    public TimeOnly Time { get; set; } = new(9, 0);
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>IANA time zone of <see cref="Time"/>.</summary>
    public string TimeZone { get; set; } = "Asia/Ho_Chi_Minh";

    /// <summary>The zone; Vietnam's fixed UTC+7 (no daylight saving) when the system has no time-zone data for it.</summary>
    public TimeZoneInfo Zone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        }
        catch (TimeZoneNotFoundException) when (TimeZone == "Asia/Ho_Chi_Minh")
        {
            return TimeZoneInfo.CreateCustomTimeZone(TimeZone, TimeSpan.FromHours(7), TimeZone, TimeZone);
        }
    }

    /// <summary>The first scheduled start strictly after <paramref name="now"/>.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset now)
    {
        var zone = Zone();
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var days = ((int)Day - (int)local.DayOfWeek + 7) % 7;
        var date = DateOnly.FromDateTime(local.Date).AddDays(days);
        for (var i = 0; i < 2; i++, date = date.AddDays(7))
        {
            var wall = date.ToDateTime(Time);
            var at = new DateTimeOffset(wall, zone.GetUtcOffset(wall));
            if (at > now)
            {
                return at;
            }
        }

        throw new InvalidOperationException("unreachable: a weekly time is always within two weeks");
    }
}

public sealed class SirenTestScheduleOptionsValidator : IValidateOptions<SirenTestScheduleOptions>
{
    public ValidateOptionsResult Validate(string? name, SirenTestScheduleOptions o)
    {
        var errors = new List<string>();
        if (o.Duration < TimeSpan.FromSeconds(1) || o.Duration > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{SirenTestScheduleOptions.Section}:Duration must be 1 s to 5 min (was {o.Duration})");
        }

        if (!Enum.IsDefined(o.Day))
        {
            errors.Add($"{SirenTestScheduleOptions.Section}:Day must be a day of the week (was {o.Day})");
        }

        try
        {
            _ = o.Zone();
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            errors.Add($"{SirenTestScheduleOptions.Section}:TimeZone '{o.TimeZone}' is not a known time zone");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>
/// Runs the weekly siren test: every siren of the group sounds for the configured time, marked as a test (no one is
/// notified), and the end event reports every siren's feedback result. A test due during an alarm is skipped.
/// </summary>
public sealed partial class SirenTestScheduler(FireSafetyEngine engine, IOptions<SirenTestScheduleOptions> options, TimeProvider time, ILogger<SirenTestScheduler> logger)
    : SupervisedService(time, logger)
{
    /// <summary>When the next test is due (null when disabled or not yet computed).</summary>
    public DateTimeOffset? Next { get; private set; }

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var now = Time.GetUtcNow();
            var next = o.NextAfter(now);
            var wait = Task.Delay(next - now, Time, stoppingToken);
            Next = next; // told once its timer is set: a clock that moves on from here reaches it
            await wait.ConfigureAwait(false);
            var result = engine.StartSirenTest(o.Duration, scheduled: true);
            Ran(Logger, next, result.Accepted, result.Message);
        }
    }

    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "Weekly siren test due {Due}: started {Accepted} ({Message})")]
    private static partial void Ran(ILogger logger, DateTimeOffset due, bool accepted, string message);
}
