using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using EdgeWatch.Mqtt.Trust;

namespace EdgeWatch.Provisioning.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ProvisioningCliTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"edgewatch-provision-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string In(string name) => Path.Combine(_root, name);

    /// <summary>The tool in process, as its Program runs it.</summary>
    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ProvisioningCli.RunAsync(args, output, error, TimeProvider.System);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The built tool as a process, for what a technician sees at the shell.</summary>
    private static async Task<(int Code, string Out, string Err)> RunProcessAsync(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "EdgeWatch.Provisioning.dll");
        using var p = Process.Start(new ProcessStartInfo("dotnet", [dll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }

    private async Task<string> SiteAsync(string site = "town")
    {
        var dir = In("site-" + site + "-" + Guid.NewGuid().ToString("N")[..6]);
        var (code, _, error) = await RunAsync("site", "init", "--dir", dir, "--site", site, "--broker-host", "broker.town.lan", "--broker-host", "10.0.0.2");
        Assert.True(code == 0, error);
        return dir;
    }

    private async Task<string> NodeAsync(string site, string id)
    {
        var bundle = In("bundle-" + id + "-" + Guid.NewGuid().ToString("N")[..6]);
        var (code, output, error) = await RunAsync("node", "add", "--site", site, "--id", id, "--group", "g1", "--board", "rpi4-mcp23017", "--out", bundle, "--offline");
        Assert.True(code == 0, error);
        Assert.Contains("fingerprint", output);
        return bundle;
    }

    [Fact]
    public async Task HelpListsTheCommandsAndSucceeds()
    {
        var (code, output, _) = await RunProcessAsync("--help");
        Assert.Equal(0, code);
        Assert.Contains("site", output);
        Assert.Contains("node", output);
    }

    [Fact]
    public async Task SiteInitWritesAnAuthorityTheBrokersIdentitiesPrivateKeysAndAMosquittoConfiguration()
    {
        var site = await SiteAsync();
        using var authority = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(site, "ca.crt")));
        Assert.Contains("O=town", authority.Subject);
        Assert.True(authority.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal("1.2.840.10045.2.1", authority.PublicKey.Oid.Value); // EC public key (P-256)

        using var broker = X509Certificate2.CreateFromPemFile(Path.Combine(site, "broker.crt"), Path.Combine(site, "broker.key"));
        var names = broker.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("broker.town.lan", names.EnumerateDnsNames());
        Assert.Contains(System.Net.IPAddress.Parse("10.0.0.2"), names.EnumerateIPAddresses());
        Assert.Null(CertificateCheck.Problem(X509Certificate2.CreateFromPemFile(Path.Combine(site, "aggregator.crt"), Path.Combine(site, "aggregator.key")), authority, RevocationList.None, DateTimeOffset.UtcNow));

        foreach (var secret in new[] { "ca.key", "broker.key", "aggregator.key", "admin-token" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(site, secret)));
        }

        var conf = File.ReadAllText(Path.Combine(site, "mosquitto", "mosquitto.conf"));
        Assert.Contains("require_certificate true", conf);
        Assert.Contains("use_identity_as_username true", conf);
        Assert.Contains($"crlfile {site}/crl.pem", conf);
        Assert.Contains("pattern write edgewatch/v1/town/%u/evt/#", File.ReadAllText(Path.Combine(site, "mosquitto", "acl")));
        Assert.Empty(RevocationList.Read(Path.Combine(site, "crl.pem"), authority).Serials);

        var (again, _, error) = await RunAsync("site", "init", "--dir", site, "--site", "town");
        Assert.Equal(2, again);
        Assert.Contains("already a site directory", error);
    }

    [Fact]
    public async Task ANodeBundleHoldsWhatTheNodeNeedsAndVerifies()
    {
        var site = await SiteAsync();
        var bundle = await NodeAsync(site, "gw-g1");
        foreach (var file in new[] { "node.crt", "node.key", "ca.crt", "board.json", "gateway.json", "edgewatch-gateway.service", "install.sh", "manifest.json", "manifest.sig" })
        {
            Assert.True(File.Exists(Path.Combine(bundle, file)), file);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(bundle, "node.key")));
        using var node = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(bundle, "node.crt")));
        Assert.Equal("gw-g1", CertificateCheck.Identity(node));
        Assert.Equal("town", CertificateCheck.Site(node));
        var settings = File.ReadAllText(Path.Combine(bundle, "gateway.json"));
        Assert.Contains("\"broker.town.lan\"", settings);
        Assert.Contains("8883", settings);

        var (code, output, _) = await RunAsync("node", "verify", "--bundle", bundle, "--site", site);
        Assert.True(code == 0, output);
        Assert.Contains("The bundle is good", output);

        // The install script is valid shell, and the unit runs the gateway as its own user, hardened; it writes only its
        // state and its own certificate and key (renewed over MQTT), which the script gives to that user.
        using var shell = Process.Start(new ProcessStartInfo("sh", ["-n", Path.Combine(bundle, "install.sh")]) { RedirectStandardError = true })!;
        var syntax = await shell.StandardError.ReadToEndAsync();
        await shell.WaitForExitAsync();
        Assert.True(shell.ExitCode == 0, syntax);
        var script = File.ReadAllText(Path.Combine(bundle, "install.sh"));
        Assert.Contains("install -m 0600 -o edgewatch -g edgewatch node.key /etc/edgewatch/tls/node.key", script, StringComparison.Ordinal);
        Assert.Contains("/etc/edgewatch/tls/node.key", File.ReadAllText(Path.Combine(bundle, "gateway.json")), StringComparison.Ordinal);
        var unit = File.ReadAllText(Path.Combine(bundle, "edgewatch-gateway.service"));
        foreach (var line in new[] { "User=edgewatch", "SupplementaryGroups=gpio i2c", "Restart=always", "ProtectSystem=strict", "ReadWritePaths=/var/lib/edgewatch /etc/edgewatch/tls", "NoNewPrivileges=true" })
        {
            Assert.Contains(line + "\n", unit);
        }
    }

    [Theory]
    [InlineData("gateway.json")]
    [InlineData("node.crt")]
    [InlineData("install.sh")]
    [InlineData("manifest.json")]
    public async Task ATamperedBundleIsRefusedAndTheErrorNamesTheFile(string file)
    {
        var site = await SiteAsync();
        var bundle = await NodeAsync(site, "gw-g1");
        File.AppendAllText(Path.Combine(bundle, file), "\n");
        var (code, output, _) = await RunAsync("node", "verify", "--bundle", bundle, "--site", site);
        Assert.Equal(1, code);
        Assert.Contains($"{file} was changed after the bundle was made", output);
    }

    [Fact]
    public async Task ABundleOfAnotherSiteIsRefused()
    {
        var site = await SiteAsync();
        var other = await SiteAsync();
        var bundle = await NodeAsync(other, "gw-g1");
        var (code, output, _) = await RunAsync("node", "verify", "--bundle", bundle, "--site", site);
        Assert.Equal(1, code);
        Assert.Contains("ca.crt is not this site's authority", output);
    }

    [Fact]
    public async Task RevokingANodePutsItOnTheSignedListAndItsBundleNoLongerVerifies()
    {
        var site = await SiteAsync();
        var bundle = await NodeAsync(site, "gw-g1");
        var (code, output, _) = await RunAsync("node", "revoke", "--site", site, "--id", "gw-g1");
        Assert.Equal(0, code);
        Assert.Contains("restart", output); // Mosquitto reads the list only at start: the tool says so

        using var authority = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(site, "ca.crt")));
        using var node = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(bundle, "node.crt")));
        Assert.True(RevocationList.Read(Path.Combine(site, "crl.pem"), authority).IsRevoked(node));
        var (verify, checks, _) = await RunAsync("node", "verify", "--bundle", bundle, "--site", site);
        Assert.Equal(1, verify);
        Assert.Contains("has been revoked", checks);

        var (twice, _, error) = await RunAsync("node", "revoke", "--site", site, "--id", "gw-g1");
        Assert.Equal(2, twice);
        Assert.Contains("already revoked", error);
        Assert.NotEqual(0, (await RunAsync("node", "add", "--site", site, "--id", "gw-g2", "--group", "g1", "--board", "rpi4-mcp23017", "--out", bundle, "--offline")).Code); // not over a bundle
    }

    [Fact]
    public async Task ARevocationListNotSignedByTheSiteIsRefused()
    {
        var site = await SiteAsync();
        var other = await SiteAsync();
        using var authority = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(site, "ca.crt")));
        var error = Assert.Throws<InvalidDataException>(() => RevocationList.Read(Path.Combine(other, "crl.pem"), authority));
        Assert.Contains("not signed by the site authority", error.Message);
    }

    [Theory]
    [InlineData("flash-the-moon")]
    [InlineData("node", "add", "--site", "/nonexistent/site", "--id", "gw-1", "--group", "g1", "--board", "rpi4-direct", "--out", "/tmp/x", "--offline")]
    [InlineData("node", "add", "--id", "gw-1")]
    [InlineData("node", "verify", "--bundle", "/nonexistent/bundle")]
    [InlineData("node", "revoke", "--site", "/nonexistent/site", "--id", "gw-1")]
    [InlineData("site", "init", "--dir", "/tmp/x", "--site", "bad site")]
    public async Task BadArgumentsAndMissingFilesGiveOneClearLineAndExitCode2(params string[] args)
    {
        var (code, output, error) = await RunProcessAsync(args);
        Assert.Equal(2, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"one line expected, got: {error}");
        Assert.StartsWith("edgewatch-provision: ", lines[0]);
        Assert.DoesNotContain("   at ", error + output); // never a stack trace
    }

    [Fact]
    public async Task ABoardProfileThatDoesNotExistIsNamed()
    {
        var site = await SiteAsync();
        var (code, _, error) = await RunAsync("node", "add", "--site", site, "--id", "gw-9", "--group", "g1", "--board", "rpi9-nothing", "--out", In("b9"), "--offline");
        Assert.Equal(2, code);
        Assert.Contains("rpi9-nothing", error);
    }
}
