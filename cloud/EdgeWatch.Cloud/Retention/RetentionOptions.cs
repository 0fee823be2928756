using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Retention;

/// <summary>How long each kind of record is kept, in days. Section <c>Retention</c>.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Fire, trouble and the other fire-lane events (an event of an unresolved incident is always kept).</summary>
    public int EventsDays { get; set; } = 365;

    /// <summary>Motion events.</summary>
    public int MotionDays { get; set; } = 90;

    /// <summary>Camera snapshots (privacy-masked JPEGs): the most personal data here, kept the shortest.</summary>
    public int SnapshotsDays { get; set; } = 30;

    public int HeartbeatsDays { get; set; } = 30;

    /// <summary>Payloads that were rejected, kept for diagnosis.</summary>
    public int RejectedDays { get; set; } = 30;

    /// <summary>Resolved incidents with their audit trail and notifications (who was told, when, how).</summary>
    public int AuditDays { get; set; } = 730;

    /// <summary>How often old records are removed.</summary>
    public TimeSpan Every { get; set; } = TimeSpan.FromHours(1);
}

public sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions o)
    {
        var errors = new List<string>();
        foreach (var (key, days) in new[]
                 {
                     ("EventsDays", o.EventsDays), ("MotionDays", o.MotionDays), ("SnapshotsDays", o.SnapshotsDays),
                     ("HeartbeatsDays", o.HeartbeatsDays), ("RejectedDays", o.RejectedDays), ("AuditDays", o.AuditDays),
                 })
        {
            if (days is < 1 or > 36500)
            {
                errors.Add($"{RetentionOptions.Section}:{key} must be 1–36500 days (was {days})");
            }
        }

        if (o.Every < TimeSpan.FromMinutes(1) || o.Every > TimeSpan.FromDays(1))
        {
            errors.Add($"{RetentionOptions.Section}:Every must be 1 minute to 1 day (was {o.Every})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
