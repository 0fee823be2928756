using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud;

/// <summary>The broker the aggregator listens on (section <c>Broker</c>).</summary>
public sealed class BrokerOptions
{
    public const string Section = "Broker";

    /// <summary><c>embedded</c>: run MQTTnet's server in this process. <c>external</c>: connect to Host:Port (Mosquitto).</summary>
    public string Mode { get; set; } = "embedded";
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>0 picks a free port (the demo does this).</summary>
    public int Port { get; set; } = 1883;
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>
    /// An external broker with mutual TLS (the Mosquitto configuration <c>site init</c> writes): the site authority the
    /// broker's certificate must chain to, and the aggregator's own identity (<c>aggregator.crt</c>, <c>aggregator.key</c>,
    /// <c>CN=aggregator</c>). Setting the certificate turns TLS on; the client id is then its name.
    /// </summary>
    public string? CaCertificate { get; set; }
    public string? ClientCertificate { get; set; }
    public string? ClientKey { get; set; }

    /// <summary>Cap of the aggregator's reconnect backoff. One client, so it may retry briskly: gateways wait for it.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The embedded broker's mutual-TLS listener for the network (section <c>Broker:Tls</c>).</summary>
    public BrokerTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// The site record (<c>site.json</c> of the site directory): what gateways it revoked is ignored by the aggregator
    /// whichever broker carried it. Optional.
    /// </summary>
    public string? SiteRecord { get; set; }

    /// <summary>Gateways' certificates renewed over MQTT (section <c>Broker:Renewal</c>); off unless the authority's key is given.</summary>
    public BrokerRenewalOptions Renewal { get; set; } = new();
}

/// <summary>
/// The aggregator signs gateways' certificate requests (<c>cert/request</c>) with the site authority, so a node's
/// certificate is renewed before it expires with no site visit. Every certificate it issues is added to the site record
/// (<c>Broker:SiteRecord</c>), so that <c>edgewatch-provision node revoke</c> revokes it with the node's others.
/// </summary>
public sealed class BrokerRenewalOptions
{
    /// <summary>The site authority's certificate and key (PEM: <c>ca.crt</c>, <c>ca.key</c> of the site directory).</summary>
    public string? Authority { get; set; }
    public string? AuthorityKey { get; set; }

    /// <summary>How long a renewed certificate is valid (never beyond the authority's own expiry).</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(365);

    /// <summary>A node is renewed at most once within this (a node asking in a loop gets a refusal).</summary>
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMinutes(10);

    public bool Enabled => !string.IsNullOrEmpty(AuthorityKey);
}

/// <summary>
/// The embedded broker's listener for gateways elsewhere on the network: mutual TLS, each client known by its
/// certificate from the site authority (<c>edgewatch-provision site init</c> writes every file named here).
/// </summary>
public sealed class BrokerTlsOptions
{
    /// <summary>Off by default (the demo keeps to its loopback listener).</summary>
    public bool Enabled { get; set; }
    public string Host { get; set; } = "0.0.0.0";
    public int Port { get; set; } = 8883;

    /// <summary>The broker's certificate and key (PEM).</summary>
    public string Certificate { get; set; } = "";
    public string Key { get; set; } = "";

    /// <summary>The site authority's certificate (PEM): every client certificate must chain to it.</summary>
    public string Authority { get; set; } = "";

    /// <summary>The site's certificate revocation list (PEM), read again whenever it changes; optional.</summary>
    public string? RevocationList { get; set; }
}

/// <summary>Event store (section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";
    public string ConnectionString { get; set; } = "Data Source=edgewatch.db";
}

/// <summary>The site file: groups, households, members (section <c>Site</c>).</summary>
public sealed class SiteOptions
{
    public const string Section = "Site";
    public string File { get; set; } = "site.json";
}

/// <summary>Notification delivery (section <c>Notify</c>).</summary>
public sealed class NotifyOptions
{
    public const string Section = "Notify";

    /// <summary>Every alarm is POSTed here as JSON naming the group, the household and the members to notify.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>
    /// The key every webhook POST is signed with (HMAC-SHA256 over <c>timestamp.body</c>, in
    /// <c>X-EdgeWatch-Signature</c>); required with <see cref="WebhookUrl"/>. Never logged.
    /// </summary>
    public string? WebhookSecret { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A webhook that keeps failing is retried with backoff for this long, then reported as failed.</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A person's channel that keeps failing is given up after this long and their next channel is tried (Zalo, then
    /// SMS, then a call). Their last channel keeps trying for <see cref="GiveUpAfter"/>.
    /// </summary>
    public TimeSpan FallbackAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The address people reach the aggregator at, for the signed acknowledgement links in messages
    /// (<c>https://pccc.example.vn/</c>). Without it, messages carry no link; replying to the SMS still acknowledges.
    /// </summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>Nobody acknowledged a fire within this: the next roster level is notified.</summary>
    public TimeSpan EscalateAfter { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>After the top level, everyone on duty is reminded this often until someone acknowledges.</summary>
    public TimeSpan RemindEvery { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Reminders at most, per incident.</summary>
    public int MaxReminders { get; set; } = 6;

    /// <summary>
    /// A gateway heard from neither by a message nor by its MQTT keepalive for this long is offline, and the
    /// technicians on duty are told (checked every 5 s, so within 50 s by default; its Will says so at once).
    /// </summary>
    public TimeSpan OfflineAfter { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// After technicians are told of a gateway's trouble, a new trouble incident of the same gateway within this is
    /// opened without telling them again (troubles while one is open join it and tell nobody).
    /// </summary>
    public TimeSpan TroubleRepeatAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>More motion on a camera and zone within this of the last joins its open incident and tells nobody.</summary>
    public TimeSpan MotionGroupFor { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>At most this many motion incidents of one camera tell the officers in an hour; more open silently.</summary>
    public int MotionPerHour { get; set; } = 6;

    /// <summary>A channel failing this long (a modem unregistered, ZNS refresh or SMTP failing) is told to the technicians.</summary>
    public TimeSpan ChannelFailingFor { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>When the daily self-test goes to the technicians, <c>HH:mm</c> in <c>Asia/Ho_Chi_Minh</c>.</summary>
    public string SelfTestAt { get; set; } = "08:00";

    /// <summary>The language of what people read: <c>vi</c> (the default) or <c>en</c>.</summary>
    public string Language { get; set; } = "vi";
}

public sealed class CloudOptionsValidator :
    IValidateOptions<BrokerOptions>, IValidateOptions<StorageOptions>, IValidateOptions<SiteOptions>, IValidateOptions<NotifyOptions>
{
    public ValidateOptionsResult Validate(string? name, BrokerOptions o)
    {
        if (o.Mode is not ("embedded" or "external"))
        {
            return ValidateOptionsResult.Fail($"Broker:Mode must be 'embedded' or 'external' (was '{o.Mode}')");
        }

        if (o.Port is < 0 or > 65535 || (o.Mode == "external" && o.Port == 0))
        {
            return ValidateOptionsResult.Fail($"Broker:Port must be 1–65535 (0 only for an embedded broker) (was {o.Port})");
        }

        if (string.IsNullOrWhiteSpace(o.Host))
        {
            return ValidateOptionsResult.Fail("Broker:Host is required");
        }

        // The plain listener takes any client: only this machine may reach it. The network gets mutual TLS.
        if (o.Mode == "embedded" && !(System.Net.IPAddress.TryParse(o.Host, out var address) && System.Net.IPAddress.IsLoopback(address)) && o.Host != "localhost")
        {
            return ValidateOptionsResult.Fail($"Broker:Host must be a loopback address (was '{o.Host}'): the plain listener accepts any client; gateways elsewhere connect to the TLS listener (Broker:Tls)");
        }

        var errors = new List<string>();
        if (!string.IsNullOrEmpty(o.ClientCertificate) || !string.IsNullOrEmpty(o.ClientKey) || !string.IsNullOrEmpty(o.CaCertificate))
        {
            if (o.Mode != "external")
            {
                errors.Add("Broker:ClientCertificate, Broker:ClientKey and Broker:CaCertificate are for an external broker (Broker:Mode 'external'); the embedded one is reached on loopback");
            }

            foreach (var (key, path) in new[] { ("CaCertificate", o.CaCertificate), ("ClientCertificate", o.ClientCertificate), ("ClientKey", o.ClientKey) })
            {
                if (string.IsNullOrWhiteSpace(path) || !System.IO.File.Exists(path))
                {
                    errors.Add($"Broker:{key} must name an existing file (was '{path}'): the three come together, from the site directory");
                }
            }
        }

        if (o.Renewal.Enabled || !string.IsNullOrEmpty(o.Renewal.Authority))
        {
            foreach (var (key, path) in new[] { ("Authority", o.Renewal.Authority), ("AuthorityKey", o.Renewal.AuthorityKey) })
            {
                if (string.IsNullOrWhiteSpace(path) || !System.IO.File.Exists(path))
                {
                    errors.Add($"Broker:Renewal:{key} must name an existing file (was '{path}')");
                }
            }

            if (string.IsNullOrWhiteSpace(o.SiteRecord) || !System.IO.File.Exists(o.SiteRecord))
            {
                errors.Add($"Broker:Renewal needs Broker:SiteRecord, the site directory's site.json (was '{o.SiteRecord}'): every renewed certificate is recorded there so that 'node revoke' covers it");
            }

            if (o.Renewal.Lifetime < TimeSpan.FromDays(1) || o.Renewal.Lifetime > TimeSpan.FromDays(3650) || o.Renewal.MinInterval < TimeSpan.Zero)
            {
                errors.Add($"Broker:Renewal:Lifetime must be 1 day – 10 years and Broker:Renewal:MinInterval not negative (were {o.Renewal.Lifetime}, {o.Renewal.MinInterval})");
            }
        }

        if (!o.Tls.Enabled)
        {
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }

        if (o.Tls.Port is < 1 or > 65535)
        {
            errors.Add($"Broker:Tls:Port must be 1–65535 (was {o.Tls.Port})");
        }

        foreach (var (key, path) in new[] { ("Certificate", o.Tls.Certificate), ("Key", o.Tls.Key), ("Authority", o.Tls.Authority), ("RevocationList", o.Tls.RevocationList ?? "") })
        {
            if (key == "RevocationList" && string.IsNullOrEmpty(path))
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(path) || !System.IO.File.Exists(path))
            {
                errors.Add($"Broker:Tls:{key} must name an existing file (was '{path}')");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public ValidateOptionsResult Validate(string? name, StorageOptions o) =>
        string.IsNullOrWhiteSpace(o.ConnectionString) ? ValidateOptionsResult.Fail("Storage:ConnectionString is required") : ValidateOptionsResult.Success;

    public ValidateOptionsResult Validate(string? name, SiteOptions o) =>
        System.IO.File.Exists(o.File) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail($"Site:File '{o.File}' does not exist");

    public ValidateOptionsResult Validate(string? name, NotifyOptions o)
    {
        if (o.WebhookUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https")))
        {
            return ValidateOptionsResult.Fail($"Notify:WebhookUrl must be an absolute http(s) URL (was '{url}')");
        }

        if (o.WebhookUrl is not null && o.WebhookSecret is not { Length: >= 16 })
        {
            return ValidateOptionsResult.Fail("Notify:WebhookSecret is required with Notify:WebhookUrl (at least 16 characters)");
        }

        if (o.Language is not ("vi" or "en"))
        {
            return ValidateOptionsResult.Fail($"Notify:Language must be 'vi' or 'en' (was '{o.Language}')");
        }

        if (o.EscalateAfter <= TimeSpan.Zero || o.RemindEvery <= TimeSpan.Zero || o.MaxReminders < 0)
        {
            return ValidateOptionsResult.Fail("Notify:EscalateAfter and Notify:RemindEvery must be positive, Notify:MaxReminders not negative");
        }

        if (o.PublicUrl is { } publicUrl && (!publicUrl.IsAbsoluteUri || publicUrl.Scheme is not ("http" or "https")))
        {
            return ValidateOptionsResult.Fail($"Notify:PublicUrl must be an absolute http(s) URL (was '{publicUrl}')");
        }

        if (o.FallbackAfter <= TimeSpan.Zero || o.FallbackAfter > o.GiveUpAfter)
        {
            return ValidateOptionsResult.Fail($"Notify:FallbackAfter must be positive and no longer than Notify:GiveUpAfter (was {o.FallbackAfter})");
        }

        if (o.OfflineAfter < TimeSpan.FromSeconds(5) || o.OfflineAfter > TimeSpan.FromMinutes(30))
        {
            return ValidateOptionsResult.Fail($"Notify:OfflineAfter must be 5 s to 30 min (was {o.OfflineAfter})");
        }

        if (!Site.ShiftTime.TryParse(o.SelfTestAt, out var selfTest) || selfTest >= TimeSpan.FromDays(1))
        {
            return ValidateOptionsResult.Fail($"Notify:SelfTestAt must be a time of day, HH:mm (was '{o.SelfTestAt}')");
        }

        if (o.MotionGroupFor <= TimeSpan.Zero || o.MotionGroupFor > TimeSpan.FromHours(1) || o.MotionPerHour is < 1 or > 600)
        {
            return ValidateOptionsResult.Fail($"Notify:MotionGroupFor must be up to 1 h and Notify:MotionPerHour 1–600 (were {o.MotionGroupFor}, {o.MotionPerHour})");
        }

        if (o.ChannelFailingFor < TimeSpan.FromSeconds(1) || o.ChannelFailingFor > TimeSpan.FromHours(1))
        {
            return ValidateOptionsResult.Fail($"Notify:ChannelFailingFor must be 1 s to 1 h (was {o.ChannelFailingFor})");
        }

        if (o.TroubleRepeatAfter < TimeSpan.Zero || o.TroubleRepeatAfter > TimeSpan.FromDays(1))
        {
            return ValidateOptionsResult.Fail($"Notify:TroubleRepeatAfter must be 0 to 1 day (was {o.TroubleRepeatAfter})");
        }

        return o.Timeout <= TimeSpan.Zero ? ValidateOptionsResult.Fail("Notify:Timeout must be positive") : ValidateOptionsResult.Success;
    }
}
