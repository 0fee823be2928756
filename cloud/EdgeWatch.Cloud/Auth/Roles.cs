namespace EdgeWatch.Cloud.Auth;

/// <summary>The roles of the HTTP API, and its policies.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Officer = "officer";
    public const string Technician = "technician";

    /// <summary>A fire-safety group's leader: sees and edits their own group only.</summary>
    public const string Leader = "leader";

    public static readonly string[] All = [Admin, Officer, Technician, Leader];

    /// <summary>The claim that names a leader's group.</summary>
    public const string GroupClaim = "edgewatch:group";

    /// <summary>Reads the registry (a leader: their own group).</summary>
    public const string ReadRegistry = "registry.read";

    /// <summary>Changes the whole registry, imports it, manages accounts.</summary>
    public const string ManageSite = "site.manage";

    /// <summary>Sends gateways their configuration.</summary>
    public const string ConfigureGateways = "gateways.configure";
}
