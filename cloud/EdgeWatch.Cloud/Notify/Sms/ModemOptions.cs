using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Notify.Sms;

/// <summary>
/// The LTE modems that send SMS and place calls (section <c>Notify:Modem</c>): Quectel EC25, SIMCom SIM7600 or alike,
/// on serial ports (<c>/dev/ttyUSB2</c>) or the emulator's pseudo-terminal. Several ports form a pool; one modem sends
/// one SMS at a time.
/// </summary>
public sealed class ModemOptions
{
    public const string Section = "Notify:Modem";

    /// <summary>The modems' AT command ports. None: no SMS and no calls.</summary>
    public List<string> Ports { get; set; } = [];
    public int BaudRate { get; set; } = 115200;

    /// <summary>How long a command may take before the modem counts as stuck. <c>AT+CMGS</c> takes seconds.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Send SMS in GSM-7 with the diacritics stripped (160 characters) instead of Vietnamese UCS2 (70).</summary>
    public bool Gsm7 { get; set; }

    /// <summary>A call rings this long at most before the modem hangs up (<c>ATH</c>); it plays no audio.</summary>
    public TimeSpan RingFor { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How often registration and signal (<c>AT+CEREG?</c>, <c>AT+CSQ</c>) are read for health.</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class ModemOptionsValidator : IValidateOptions<ModemOptions>
{
    public ValidateOptionsResult Validate(string? name, ModemOptions o)
    {
        var errors = new List<string>();
        if (o.Ports.Any(string.IsNullOrWhiteSpace) || o.Ports.Distinct(StringComparer.Ordinal).Count() != o.Ports.Count)
        {
            errors.Add($"{Section}:Ports must be distinct, non-empty serial port paths");
        }

        if (o.BaudRate is < 1200 or > 4_000_000)
        {
            errors.Add($"{Section}:BaudRate must be 1200–4000000 (was {o.BaudRate})");
        }

        if (o.CommandTimeout < TimeSpan.FromSeconds(1) || o.RingFor < TimeSpan.FromSeconds(1) || o.StatusInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{Section}:CommandTimeout, {Section}:RingFor and {Section}:StatusInterval must be at least 1 s");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private const string Section = ModemOptions.Section;
}
