using MimeKit;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Notify.Email;

/// <summary>Email over SMTP (MailKit). Off unless <see cref="Host"/> is set. Section <c>Notify:Smtp</c>.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Notify:Smtp";

    public string? Host { get; set; }
    public int Port { get; set; } = 587;

    /// <summary><c>StartTlsWhenAvailable</c> (default), <c>StartTls</c>, <c>SslOnConnect</c> or <c>None</c>.</summary>
    public MailKit.Security.SecureSocketOptions Security { get; set; } = MailKit.Security.SecureSocketOptions.StartTlsWhenAvailable;

    /// <summary>The sender, for example <c>EdgeWatch &lt;canhbao@phuong-an-phu.vn&gt;</c>.</summary>
    public string From { get; set; } = "EdgeWatch <edgewatch@localhost>";

    public string? User { get; set; }

    /// <summary>The SMTP password (never logged).</summary>
    public string? Password { get; set; }

    /// <summary>The whole exchange, from connecting to the server's answer after <c>DATA</c>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long after the motion a motion mail waits for its snapshot to arrive, to carry it as an image.</summary>
    public TimeSpan SnapshotWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Mails in flight at once (each on its own connection).</summary>
    public int Concurrency { get; set; } = 4;
}

public sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    private const string Section = SmtpOptions.Section;

    public ValidateOptionsResult Validate(string? name, SmtpOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.Host))
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (o.Port is < 1 or > 65535)
        {
            errors.Add($"{Section}:Port must be 1–65535 (was {o.Port})");
        }

        if (!MailboxAddress.TryParse(o.From, out _))
        {
            errors.Add($"{Section}:From is not an email address (was '{o.From}')");
        }

        if (o.User is not null && string.IsNullOrEmpty(o.Password))
        {
            errors.Add($"{Section}:Password is required with {Section}:User");
        }

        if (o.Timeout < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{Section}:Timeout must be at least 1 s");
        }

        if (o.SnapshotWait < TimeSpan.Zero || o.SnapshotWait > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{Section}:SnapshotWait must be 0 to 5 minutes (was {o.SnapshotWait})");
        }

        if (o.Concurrency is < 1 or > 64)
        {
            errors.Add($"{Section}:Concurrency must be 1–64 (was {o.Concurrency})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
