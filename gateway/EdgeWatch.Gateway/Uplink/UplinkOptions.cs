using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>Store-and-forward settings (section <c>Uplink</c>).</summary>
public sealed class UplinkOptions
{
    public const string Section = "Uplink";

    /// <summary>Where the outbox and the persisted remote configuration live (systemd: StateDirectory).</summary>
    public string StateDirectory { get; set; } = "";

    /// <summary>Disk budget of the outbox. Over it, telemetry, then snapshots, then motion events are dropped.</summary>
    public long OutboxBudgetBytes { get; set; } = 64L * 1024 * 1024;

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After a reconnect, non-fire lanes drain at most this many messages per second; fire is never held back.</summary>
    public int DrainRatePerSecond { get; set; } = 500;

    /// <summary>How long a lane waits before retrying an entry the broker refused (for example 135, not authorized).</summary>
    public TimeSpan RejectedRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public string ResolvedStateDirectory(string gatewayId) =>
        string.IsNullOrWhiteSpace(StateDirectory)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "edgewatch", gatewayId)
            : StateDirectory;
}

public sealed class UplinkOptionsValidator : IValidateOptions<UplinkOptions>
{
    public ValidateOptionsResult Validate(string? name, UplinkOptions o)
    {
        var errors = new List<string>();
        if (o.OutboxBudgetBytes < 1024 * 1024)
        {
            errors.Add($"{UplinkOptions.Section}:OutboxBudgetBytes must be at least 1 MiB (was {o.OutboxBudgetBytes})");
        }

        if (o.HeartbeatInterval < TimeSpan.FromSeconds(1) || o.HeartbeatInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"{UplinkOptions.Section}:HeartbeatInterval must be 1 s to 1 h (was {o.HeartbeatInterval})");
        }

        if (o.DrainRatePerSecond is < 1 or > 100_000)
        {
            errors.Add($"{UplinkOptions.Section}:DrainRatePerSecond must be 1–100000 (was {o.DrainRatePerSecond})");
        }

        if (o.RejectedRetryDelay < TimeSpan.FromMilliseconds(100))
        {
            errors.Add($"{UplinkOptions.Section}:RejectedRetryDelay must be at least 100 ms (was {o.RejectedRetryDelay})");
        }

        if (!string.IsNullOrWhiteSpace(o.StateDirectory) && o.StateDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add($"{UplinkOptions.Section}:StateDirectory is not a valid path");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
