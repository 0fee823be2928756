namespace EdgeWatch.Cloud.Notify.Zns;

/// <summary>Zalo ZNS (template messages). Off unless <see cref="ApiUrl"/> is set. Section <c>Notify:Zns</c>.</summary>
public sealed class ZnsOptions
{
    public const string Section = "Notify:Zns";

    /// <summary>The ZNS business API, for example <c>https://business.openapi.zalo.me</c>.</summary>
    public Uri? ApiUrl { get; set; }

    /// <summary>The OAuth host, for example <c>https://oauth.zaloapp.com</c>.</summary>
    public Uri? OAuthUrl { get; set; }

    public string? AppId { get; set; }

    /// <summary>The app's secret key (never logged).</summary>
    public string? SecretKey { get; set; }

    /// <summary>The first refresh token; after the first refresh the rotated one in the database is used.</summary>
    public string? RefreshToken { get; set; }

    /// <summary>The approved template for a fire alarm (fields: name, address, group, time).</summary>
    public string? FireTemplateId { get; set; }

    /// <summary>The approved template of the all-clear message; without one, the all clear goes by SMS.</summary>
    public string? AllClearTemplateId { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class ZnsOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<ZnsOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, ZnsOptions o)
    {
        if (o.ApiUrl is null)
        {
            return Microsoft.Extensions.Options.ValidateOptionsResult.Success;
        }

        var missing = new List<string>();
        if (o.OAuthUrl is null) { missing.Add($"{ZnsOptions.Section}:OAuthUrl"); }
        if (string.IsNullOrWhiteSpace(o.AppId)) { missing.Add($"{ZnsOptions.Section}:AppId"); }
        if (string.IsNullOrWhiteSpace(o.SecretKey)) { missing.Add($"{ZnsOptions.Section}:SecretKey"); }
        if (string.IsNullOrWhiteSpace(o.RefreshToken)) { missing.Add($"{ZnsOptions.Section}:RefreshToken"); }
        if (string.IsNullOrWhiteSpace(o.FireTemplateId)) { missing.Add($"{ZnsOptions.Section}:FireTemplateId"); }
        return missing.Count == 0
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Success
            : Microsoft.Extensions.Options.ValidateOptionsResult.Fail($"{string.Join(", ", missing)} required with {ZnsOptions.Section}:ApiUrl");
    }
}
