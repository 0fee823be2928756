namespace EdgeWatch.Gateway.FireSafety;

/// <summary>The alarm state of one fire-safety group. Trouble is tracked alongside, not as a state.</summary>
public enum GroupState
{
    /// <summary>Quiet.</summary>
    Normal,
    /// <summary>At least one detector tripped since the last reset; sirens and strobes on.</summary>
    Alarm,
    /// <summary>Alarm still active, sirens silenced until the silence expires or another detector trips; strobes stay on.</summary>
    Silenced,
}

/// <summary>The answer to a silence, reset or siren-test request.</summary>
public sealed record CommandResult(bool Accepted, string Message)
{
    public static CommandResult Ok(string message) => new(true, message);
    public static CommandResult Refused(string message) => new(false, message);
}
