using System.CommandLine;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using EdgeWatch.Mqtt.Trust;
using QRCoder;
using Spectre.Console;

namespace EdgeWatch.Provisioning;

/// <summary>
/// The commands: <c>site init</c>, <c>node add</c>, <c>node verify</c> and <c>node revoke</c>. Bad arguments, missing
/// files and unusable keys give one line on standard error and exit code 2; a bundle that fails its checks exits 1.
/// </summary>
public static partial class ProvisioningCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 120; // no terminal to ask (a pipe, a phone's SSH app): don't wrap sentences at 80
        var root = Build(console, time);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await error.WriteLineAsync($"edgewatch-provision: {parsed.Errors[0].Message} (see --help)").ConfigureAwait(false);
            return 2;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (ProvisioningException ex)
        {
            await error.WriteLineAsync($"edgewatch-provision: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException or InvalidDataException or InvalidOperationException or EdgeWatch.Hardware.Profiles.BoardProfileException)
        {
            await error.WriteLineAsync($"edgewatch-provision: {ex.Message.Trim()}").ConfigureAwait(false);
            return 2;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex TopicSafe();

    private static string Name(string value, string option) =>
        TopicSafe().IsMatch(value) ? value : throw new ProvisioningException($"{option} must be 1–64 letters, digits, '-' or '_' (was '{value}')");

    private static RootCommand Build(IAnsiConsole console, TimeProvider time)
    {
        var root = new RootCommand("edgewatch-provision: bring up a trusted EdgeWatch node (site authority, node bundles, verification, revocation)");

        var dir = new Option<string>("--dir") { Description = "the site directory to create", Required = true };
        var siteName = new Option<string>("--site") { Description = "the site's id, as in the topics (edgewatch/v1/<site>/…)", Required = true };
        var hosts = new Option<string[]>("--broker-host") { Description = "a name or address gateways use for the broker (repeat it)", AllowMultipleArgumentsPerToken = true };
        var port = new Option<int>("--broker-port") { Description = "the broker's TLS port", DefaultValueFactory = _ => 8883 };
        var init = new Command("init", "create the site's certificate authority, the broker's and the aggregator's identities, an admin API token and a Mosquitto configuration") { dir, siteName, hosts, port };
        init.SetAction(r => SiteInit(console, time, r.GetValue(dir)!, Name(r.GetValue(siteName)!, "--site"), r.GetValue(hosts) ?? [], r.GetValue(port)));
        root.Add(new Command("site", "the site's authority") { init });

        var site = new Option<string>("--site") { Description = "the site directory (from site init)", Required = true };
        var id = new Option<string>("--id") { Description = "the gateway's id", Required = true };
        var group = new Option<string>("--group") { Description = "the fire-safety group the gateway serves", Required = true };
        var board = new Option<string>("--board") { Description = "a built-in board profile (rpi4-direct, rpi4-mcp23017) or a profile file", Required = true };
        var output = new Option<string>("--out") { Description = "the folder to write the node bundle to", Required = true };
        var offline = new Option<bool>("--offline") { Description = "prepare the bundle without the aggregator: the node registers itself when it first connects" };
        var days = new Option<int>("--days") { Description = "the certificate's lifetime in days", DefaultValueFactory = _ => 825 };
        var api = new Option<string?>("--api") { Description = "the aggregator's address (https://…), to register the node as its group's gateway" };
        var token = new Option<string?>("--token") { Description = "an admin API token (default: the site directory's admin-token)" };
        var replace = new Option<bool>("--replace") { Description = "register the node even if its group has another gateway" };
        var add = new Command("add", "issue a node certificate, register it with the aggregator, and write its bundle for the SD card") { site, id, group, board, output, offline, days, api, token, replace };
        add.SetAction(async (r, ct) =>
        {
            var directory = new SiteDirectory(r.GetValue(site)!);
            var node = Name(r.GetValue(id)!, "--id");
            var groupName = Name(r.GetValue(group)!, "--group");
            if (!r.GetValue(offline))
            {
                var address = r.GetValue(api) ?? throw new ProvisioningException("give the aggregator's address (--api https://…) to register the node, or prepare the bundle with --offline");
                var aggregator = Uri.TryCreate(address, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"
                    ? parsed
                    : throw new ProvisioningException($"--api must be the aggregator's http(s) address (was '{address}')");
                _ = NodeAddChecks(directory, node, r.GetValue(board)!, r.GetValue(output)!, r.GetValue(days));
                var secret = r.GetValue(token) ?? (File.Exists(directory.File("admin-token")) ? File.ReadAllText(directory.File("admin-token")).Trim() : throw new ProvisioningException($"no --token and no admin-token in {directory.Path}"));
                await AggregatorRegistration.RegisterAsync(aggregator, secret, groupName, node, r.GetValue(replace), ct).ConfigureAwait(false);
                console.WriteLine($"Registered '{node}' as the gateway of group '{groupName}' at {aggregator}");
            }

            return NodeAdd(console, time, directory, node, groupName, r.GetValue(board)!, r.GetValue(output)!, r.GetValue(days));
        });

        var bundle = new Option<string>("--bundle") { Description = "the node bundle's folder", Required = true };
        var against = new Option<string?>("--site") { Description = "check against this site directory's authority and revocation list" };
        var verify = new Command("verify", "check a node bundle offline") { bundle, against };
        verify.SetAction(r => NodeVerify(console, time, r.GetValue(bundle)!, r.GetValue(against)));

        var revokeSite = new Option<string>("--site") { Description = "the site directory", Required = true };
        var revokeId = new Option<string>("--id") { Description = "the gateway to revoke", Required = true };
        var revoke = new Command("revoke", "revoke a node: both brokers refuse it from now on") { revokeSite, revokeId };
        revoke.SetAction(r => NodeRevoke(console, time, new SiteDirectory(r.GetValue(revokeSite)!), r.GetValue(revokeId)!));
        root.Add(new Command("node", "a site's nodes") { add, verify, revoke });
        return root;
    }

    private static int SiteInit(IAnsiConsole console, TimeProvider time, string path, string site, string[] hosts, int port)
    {
        var directory = new SiteDirectory(path);
        if (File.Exists(directory.File("site.json")))
        {
            throw new ProvisioningException($"{directory.Path} is already a site directory: its authority is kept (remove it by hand to start over)");
        }

        if (port is < 1 or > 65535)
        {
            throw new ProvisioningException($"--broker-port must be 1–65535 (was {port})");
        }

        Directory.CreateDirectory(directory.Path);
        Directory.CreateDirectory(directory.File("mosquitto"));
        var now = time.GetUtcNow();
        var names = hosts.Length > 0 ? hosts.ToList() : ["localhost", "127.0.0.1"];
        var authority = SiteAuthority.Create(site, now, TimeSpan.FromDays(3650));
        PemFiles.WriteCertificate(directory.File("ca.crt"), authority.Certificate);
        PemFiles.WriteKey(directory.File("ca.key"), authority.Certificate);
        using var broker = authority.IssueServer(names, site, now, TimeSpan.FromDays(825));
        PemFiles.WriteCertificate(directory.File("broker.crt"), broker);
        PemFiles.WriteKey(directory.File("broker.key"), broker);
        using var aggregator = authority.IssueClient(TopicAcl.Aggregator, site, now, TimeSpan.FromDays(825));
        PemFiles.WriteCertificate(directory.File("aggregator.crt"), aggregator);
        PemFiles.WriteKey(directory.File("aggregator.key"), aggregator);
        PemFiles.WriteSecret(directory.File("admin-token"), "ew_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "\n");
        var record = new SiteRecord { Site = site, BrokerHosts = names, BrokerPort = port, RevocationNumber = 0 };
        record.Issued.Add(new IssuedCertificate { Id = TopicAcl.Aggregator, Serial = aggregator.SerialNumber, NotAfter = aggregator.NotAfter });
        directory.WriteRevocations(record, authority, now);
        directory.Save(record);
        File.WriteAllText(directory.File("mosquitto/acl"), MosquittoAcl.For(site));
        File.WriteAllText(directory.File("mosquitto/mosquitto.conf"), MosquittoAcl.Configuration(directory.Path, port));

        var table = new Table().AddColumn("file").AddColumn("what");
        foreach (var (file, what) in new[]
        {
            ("ca.crt, ca.key", $"the site authority (ECDSA P-256), valid until {authority.Certificate.NotAfter:yyyy-MM-dd}; keep ca.key offline"),
            ("broker.crt, broker.key", $"the broker's TLS identity for {string.Join(", ", names)}"),
            ("aggregator.crt, aggregator.key", "the aggregator's client identity (CN=aggregator)"),
            ("admin-token", "an admin API token (set Auth:AdminToken to it)"),
            ("crl.pem", "the revocation list both brokers read"),
            ("mosquitto/", "mosquitto.conf and acl for a site with an external broker"),
        })
        {
            table.AddRow(Markup.Escape(file), Markup.Escape(what));
        }

        console.WriteLine($"Site '{site}' created in {directory.Path}");
        console.Write(table);
        return 0;
    }

    /// <summary>Everything that can be checked before anything is registered or issued.</summary>
    private static SiteRecord NodeAddChecks(SiteDirectory directory, string id, string board, string output, int days)
    {
        if (days is < 1 or > 3650)
        {
            throw new ProvisioningException($"--days must be 1–3650 (was {days})");
        }

        if (id == TopicAcl.Aggregator)
        {
            throw new ProvisioningException($"--id '{id}' is the aggregator's own identity");
        }

        var record = directory.Record();
        if (record.Issued.Any(i => i.Id == id && i.RevokedAt is null))
        {
            throw new ProvisioningException($"a certificate for '{id}' is already issued and not revoked: revoke it first (node revoke --site {directory.Path} --id {id})");
        }

        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
        {
            throw new ProvisioningException($"{output} is not empty: give a new folder for the bundle");
        }

        _ = EdgeWatch.Hardware.Profiles.BoardProfiles.Load(board);
        return record;
    }

    private static int NodeAdd(IAnsiConsole console, TimeProvider time, SiteDirectory directory, string id, string group, string board, string output, int days)
    {
        var record = NodeAddChecks(directory, id, board, output, days);
        var authority = directory.Authority();
        var now = time.GetUtcNow();
        if (now < authority.Certificate.NotBefore || now > authority.Certificate.NotAfter)
        {
            throw new ProvisioningException($"this computer's clock says {now:yyyy-MM-dd HH:mm} UTC, outside the site authority's validity ({authority.Certificate.NotBefore.ToUniversalTime():yyyy-MM-dd} to {authority.Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}): set the clock");
        }

        using var node = authority.IssueClient(id, record.Site, now, TimeSpan.FromDays(days));
        var fingerprint = NodeBundle.Write(output, authority, node, record.Site, id, group, board, record.BrokerHosts.FirstOrDefault() ?? "localhost", record.BrokerPort);
        record.Issued.Add(new IssuedCertificate { Id = id, Group = group, Serial = node.SerialNumber, NotAfter = node.NotAfter, IssuedAt = now, Source = "bundle" });
        directory.Save(record);

        console.WriteLine($"Node '{id}' (group {group}) bundled in {Path.GetFullPath(output)}");
        var table = new Table().AddColumn("").AddColumn("");
        table.AddRow("certificate", Markup.Escape($"{node.Subject}, serial {node.SerialNumber}, valid until {node.NotAfter.ToUniversalTime():yyyy-MM-dd}"));
        table.AddRow("broker", Markup.Escape($"{record.BrokerHosts.FirstOrDefault() ?? "localhost"}:{record.BrokerPort} (mutual TLS)"));
        table.AddRow("fingerprint", fingerprint);
        console.Write(table);
        using var qr = new QRCodeGenerator().CreateQrCode($"edgewatch:{record.Site}:{id}:{fingerprint}", QRCodeGenerator.ECCLevel.M);
        console.WriteLine(new AsciiQRCode(qr).GetGraphicSmall()); // half-height blocks: fits a phone's screen
        console.WriteLine("Scan it on site to check the card matches; then run install.sh on the node as root.");
        return 0;
    }

    private static int NodeVerify(IAnsiConsole console, TimeProvider time, string bundle, string? sitePath)
    {
        var site = sitePath is null ? null : new SiteDirectory(sitePath);
        var authority = site?.AuthorityCertificate();
        var revoked = site is null || !File.Exists(site.File("crl.pem")) ? RevocationList.None : RevocationList.Read(site.File("crl.pem"), authority!);
        var checks = NodeBundle.Verify(bundle, authority, revoked, time.GetUtcNow());
        var table = new Table().AddColumn("check").AddColumn("result").AddColumn("detail");
        foreach (var check in checks)
        {
            table.AddRow(check.What, check.Passed ? "pass" : "FAIL", Markup.Escape(check.Detail));
        }

        console.Write(table);
        var failed = checks.FirstOrDefault(c => !c.Passed);
        console.WriteLine(failed is null ? "The bundle is good." : $"The bundle is refused: {failed.Detail}");
        return failed is null ? 0 : 1;
    }

    private static int NodeRevoke(IAnsiConsole console, TimeProvider time, SiteDirectory directory, string id)
    {
        var record = directory.Record();
        var live = record.Issued.Where(i => i.Id == id && i.RevokedAt is null).ToList();
        if (live.Count == 0)
        {
            throw new ProvisioningException(record.Issued.Any(i => i.Id == id) ? $"'{id}' is already revoked" : $"no certificate was issued to '{id}' in {directory.Path}");
        }

        var now = time.GetUtcNow();
        foreach (var issued in live)
        {
            issued.RevokedAt = now;
        }

        directory.WriteRevocations(record, directory.Authority(), now);
        directory.Save(record);
        console.WriteLine($"'{id}' revoked ({string.Join(", ", live.Select(i => i.Serial))}); crl.pem rewritten.");
        console.WriteLine("The embedded broker reads crl.pem again within a second and drops the node if it is connected.");
        console.WriteLine("Mosquitto reads crl.pem only when it starts: restart it (systemctl restart mosquitto) to refuse the node.");
        return 0;
    }
}
