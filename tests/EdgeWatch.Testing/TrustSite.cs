using EdgeWatch.Provisioning;

namespace EdgeWatch.Testing;

/// <summary>A node's bundle, as <c>node add</c> wrote it.</summary>
public sealed record NodeBundleFiles(string Id, string Directory)
{
    public string Certificate => Path.Combine(Directory, "node.crt");
    public string Key => Path.Combine(Directory, "node.key");
    public string Authority => Path.Combine(Directory, "ca.crt");

    /// <summary>Points a gateway's settings at this bundle: mutual TLS with its files (<paramref name="key"/> instead of its own key, if given).</summary>
    public Dictionary<string, string?> AppliedTo(Dictionary<string, string?> settings, string? key = null)
    {
        settings["Mqtt:UseTls"] = "true";
        settings["Mqtt:CaCertificate"] = Authority;
        settings["Mqtt:ClientCertificate"] = Certificate;
        settings["Mqtt:ClientKey"] = key ?? Key;
        return settings;
    }
}

/// <summary>
/// A site made by the real technician's tool (<c>edgewatch-provision site init</c>, <c>node add --offline</c>,
/// <c>node revoke</c>, run in process) in a temporary folder, for tests of both brokers' trust.
/// </summary>
public sealed class TrustSite : IDisposable
{
    private TrustSite(string directory, string site)
    {
        Directory = directory;
        Site = site;
    }

    public string Directory { get; }
    public string Site { get; }
    public string Authority => File("ca.crt");
    public string BrokerCertificate => File("broker.crt");
    public string BrokerKey => File("broker.key");
    public string RevocationList => File("crl.pem");

    /// <summary>The aggregator's identity (its certificate and key in the site folder).</summary>
    public (string Certificate, string Key) Aggregator => (File("aggregator.crt"), File("aggregator.key"));

    /// <summary>The aggregator's settings for the embedded broker's mutual-TLS listener on <paramref name="port"/>, with this site's files.</summary>
    public Dictionary<string, string?> EmbeddedBrokerTls(int port) => new()
    {
        ["Broker:Tls:Enabled"] = "true",
        ["Broker:Tls:Host"] = "127.0.0.1",
        ["Broker:Tls:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Broker:Tls:Certificate"] = BrokerCertificate,
        ["Broker:Tls:Key"] = BrokerKey,
        ["Broker:Tls:Authority"] = Authority,
        ["Broker:Tls:RevocationList"] = RevocationList,
    };

    public string File(string name) => Path.Combine(Directory, name);

    public static async Task<TrustSite> CreateAsync(string site = "town", TimeProvider? time = null)
    {
        var directory = Path.Combine(Eventually.TempDirectory("edgewatch-site"), "site");
        await RunAsync(time, "site", "init", "--dir", directory, "--site", site);
        return new TrustSite(directory, site);
    }

    /// <summary>Issues a node and writes its bundle; <paramref name="time"/> backdates it (for an expired certificate).</summary>
    public async Task<NodeBundleFiles> AddNodeAsync(string id, string group = "g1", TimeProvider? time = null, int days = 825)
    {
        var output = Path.Combine(Eventually.TempDirectory("edgewatch-node"), id);
        await RunAsync(time, "node", "add", "--site", Directory, "--id", id, "--group", group, "--board", "rpi4-mcp23017", "--out", output, "--offline", "--days", days.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new NodeBundleFiles(id, output);
    }

    public Task RevokeAsync(string id) => RunAsync(null, "node", "revoke", "--site", Directory, "--id", id);

    /// <summary>Runs the tool; fails the test with its output unless it succeeds.</summary>
    public static async Task<string> RunAsync(TimeProvider? time, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ProvisioningCli.RunAsync(args, output, error, time ?? TimeProvider.System);
        if (code != 0)
        {
            throw new InvalidOperationException($"edgewatch-provision {string.Join(' ', args)} exited {code}: {error}{output}");
        }

        return output.ToString();
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path.GetDirectoryName(Directory)!, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
