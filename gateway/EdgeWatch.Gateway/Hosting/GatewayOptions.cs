using System.Text.RegularExpressions;
using EdgeWatch.Hardware.Profiles;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.Hosting;

/// <summary>Who this gateway is (section <c>Gateway</c>).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";
    public string Site { get; set; } = "";
    public string Id { get; set; } = "";
    public string Group { get; set; } = "";
}

/// <summary>Which GPIO driver and board profile to use (section <c>Hardware</c>).</summary>
public sealed class HardwareOptions
{
    public const string Section = "Hardware";

    /// <summary><c>libgpiod</c> on a Raspberry Pi, <c>simulated</c> anywhere else.</summary>
    public string Driver { get; set; } = "simulated";

    /// <summary>A built-in profile name or a path to a profile JSON file.</summary>
    public string Profile { get; set; } = "rpi4-mcp23017";

    /// <summary>gpiochip number for libgpiod (0 on a Pi 4, 4 on a Pi 5).</summary>
    public int GpioChip { get; set; }
}

/// <summary>The broker connection (section <c>Mqtt</c>).</summary>
public sealed class MqttOptions
{
    public const string Section = "Mqtt";
    public bool Enabled { get; set; } = true;
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 1883;
    public bool UseTls { get; set; }

    /// <summary>The site authority's certificate (PEM) the broker's certificate must chain to; the system's roots when unset.</summary>
    public string? CaCertificate { get; set; }

    /// <summary>The node's certificate and key (PEM) from its bundle: its identity on a broker with mutual TLS.</summary>
    public string? ClientCertificate { get; set; }
    public string? ClientKey { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string? ClientId { get; set; }
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The node asks the aggregator for a new certificate (over MQTT: a signing request up, the certificate down) once
    /// its own has less than this left. Health warns at 30 days, so a renewal that keeps failing is seen in time.
    /// </summary>
    public TimeSpan RenewBefore { get; set; } = TimeSpan.FromDays(45);

    /// <summary>How often the certificate's expiry is looked at (and an unanswered request sent again).</summary>
    public TimeSpan RenewCheckInterval { get; set; } = TimeSpan.FromHours(1);
}

internal static partial class Names
{
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    public static partial Regex TopicSafe();
}

public sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions o)
    {
        var errors = new List<string>();
        foreach (var (key, value) in new[] { ("Site", o.Site), ("Id", o.Id), ("Group", o.Group) })
        {
            if (!Names.TopicSafe().IsMatch(value ?? ""))
            {
                errors.Add($"{GatewayOptions.Section}:{key} must be 1–64 letters, digits, '-' or '_' (was '{value}')");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

public sealed class HardwareOptionsValidator : IValidateOptions<HardwareOptions>
{
    public ValidateOptionsResult Validate(string? name, HardwareOptions o)
    {
        if (o.Driver is not ("simulated" or "libgpiod"))
        {
            return ValidateOptionsResult.Fail($"{HardwareOptions.Section}:Driver must be 'libgpiod' or 'simulated' (was '{o.Driver}')");
        }

        if (o.GpioChip is < 0 or > 15)
        {
            return ValidateOptionsResult.Fail($"{HardwareOptions.Section}:GpioChip must be 0–15 (was {o.GpioChip})");
        }

        try
        {
            BoardProfiles.Load(o.Profile);
        }
        catch (BoardProfileException ex)
        {
            return ValidateOptionsResult.Fail($"{HardwareOptions.Section}:Profile: {ex.Message}");
        }

        return ValidateOptionsResult.Success;
    }
}

public sealed class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttOptions o)
    {
        var errors = new List<string>();
        if (o.Enabled && string.IsNullOrWhiteSpace(o.Host))
        {
            errors.Add($"{MqttOptions.Section}:Host is required when Mqtt:Enabled is true");
        }

        if (o.Port is < 1 or > 65535)
        {
            errors.Add($"{MqttOptions.Section}:Port must be 1–65535 (was {o.Port})");
        }

        if (o.ReconnectMinDelay <= TimeSpan.Zero || o.ReconnectMaxDelay < o.ReconnectMinDelay)
        {
            errors.Add($"{MqttOptions.Section}:ReconnectMinDelay must be positive and not above ReconnectMaxDelay");
        }

        if (o.Password is not null && o.Username is null)
        {
            errors.Add($"{MqttOptions.Section}:Username is required when a password is set");
        }

        if (o.RenewBefore < TimeSpan.FromDays(1) || o.RenewCheckInterval < TimeSpan.FromSeconds(1) || o.RenewCheckInterval > TimeSpan.FromDays(1))
        {
            errors.Add($"{MqttOptions.Section}:RenewBefore must be at least a day and {MqttOptions.Section}:RenewCheckInterval 1 s – 1 day (were {o.RenewBefore}, {o.RenewCheckInterval})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
