using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Mqtt.Trust;

namespace EdgeWatch.Provisioning;

/// <summary>One check of a bundle: what was checked, whether it held, and what to do if not.</summary>
public sealed record BundleCheck(string What, bool Passed, string Detail);

/// <summary>
/// A node bundle for the SD card: the node's certificate and key (0600), the site authority's certificate, the board
/// profile, the gateway's settings, the systemd unit and an install script; and a manifest of every file's SHA-256,
/// signed by the site authority, so a file changed afterwards is found and named.
/// </summary>
public static class NodeBundle
{
    public const string Manifest = "manifest.json";
    public const string Signature = "manifest.sig";

    /// <summary>The files a bundle holds, in the order they are checked.</summary>
    public static readonly string[] Files = ["node.crt", "node.key", "ca.crt", "board.json", "gateway.json", "edgewatch-gateway.service", "install.sh"];

    /// <summary>Writes the bundle and answers its fingerprint (the SHA-256 of its manifest, in hex).</summary>
    public static string Write(string directory, SiteAuthority authority, X509Certificate2 node, string site, string id, string group, string board, string brokerHost, int brokerPort)
    {
        Directory.CreateDirectory(directory);
        string F(string name) => Path.Combine(directory, name);
        PemFiles.WriteCertificate(F("node.crt"), node);
        PemFiles.WriteKey(F("node.key"), node);
        PemFiles.WriteCertificate(F("ca.crt"), authority.Certificate);
        File.WriteAllText(F("board.json"), BoardProfiles.Text(board));
        var settings = new JsonObject
        {
            ["Gateway"] = new JsonObject { ["Site"] = site, ["Id"] = id, ["Group"] = group },
            ["Hardware"] = new JsonObject { ["Driver"] = "libgpiod", ["Profile"] = "/etc/edgewatch/board.json" },
            ["Mqtt"] = new JsonObject
            {
                ["Host"] = brokerHost,
                ["Port"] = brokerPort,
                ["UseTls"] = true,
                ["ClientId"] = id,
                ["CaCertificate"] = "/etc/edgewatch/ca.crt",
                ["ClientCertificate"] = "/etc/edgewatch/tls/node.crt", // renewed in place over MQTT (writable by the service)
                ["ClientKey"] = "/etc/edgewatch/tls/node.key",
            },
        };
        File.WriteAllText(F("gateway.json"), settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.WriteAllText(F("edgewatch-gateway.service"), Resource("edgewatch-gateway.service"));
        File.WriteAllText(F("install.sh"), InstallScript);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(F("install.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var manifest = new JsonObject
        {
            ["site"] = site,
            ["id"] = id,
            ["files"] = new JsonObject(Files.Select(f => KeyValuePair.Create(f, (JsonNode?)Hash(F(f))))),
        };
        var bytes = System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.WriteAllBytes(F(Manifest), bytes);
        using var key = authority.Certificate.GetECDsaPrivateKey()!;
        File.WriteAllText(F(Signature), Convert.ToBase64String(key.SignData(bytes, HashAlgorithmName.SHA256)) + "\n");
        return Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
    }

    /// <summary>Checks a bundle offline; against <paramref name="site"/>'s authority and revocation list when given.</summary>
    public static List<BundleCheck> Verify(string directory, X509Certificate2? site, RevocationList revoked, DateTimeOffset now)
    {
        var checks = new List<BundleCheck>();
        string F(string name) => Path.Combine(directory, name);
        if (!Directory.Exists(directory))
        {
            throw new ProvisioningException($"{directory} is not a directory");
        }

        var missing = Files.Concat([Manifest, Signature]).Where(f => !File.Exists(F(f))).ToList();
        if (missing.Count > 0)
        {
            checks.Add(new("files", false, $"{string.Join(", ", missing)} missing from the bundle"));
            return checks;
        }

        var authority = PemFiles.ReadCertificate(F("ca.crt"));
        if (site is not null && !authority.RawDataMemory.Span.SequenceEqual(site.RawDataMemory.Span))
        {
            checks.Add(new("authority", false, $"ca.crt is not this site's authority ({authority.Subject}, not {site.Subject})"));
            return checks;
        }

        checks.Add(new("authority", true, site is null ? $"{authority.Subject} (the bundle's own; pass --site to check it is your site's)" : $"{authority.Subject}, this site's"));

        // The manifest is signed by the authority, and names every file's SHA-256.
        var manifestBytes = File.ReadAllBytes(F(Manifest));
        bool signed;
        try
        {
            using var key = authority.GetECDsaPublicKey();
            signed = key is not null && key.VerifyData(manifestBytes, Convert.FromBase64String(File.ReadAllText(F(Signature)).Trim()), HashAlgorithmName.SHA256);
        }
        catch (FormatException)
        {
            signed = false;
        }

        if (!signed)
        {
            checks.Add(new("manifest", false, "manifest.json was changed after the bundle was made (its signature does not hold)"));
            return checks;
        }

        var files = JsonNode.Parse(manifestBytes)?["files"]?.AsObject();
        foreach (var file in Files)
        {
            var expected = files?[file]?.GetValue<string>();
            if (expected != Hash(F(file)))
            {
                checks.Add(new("files", false, $"{file} was changed after the bundle was made (its SHA-256 is not the manifest's)"));
                return checks;
            }
        }

        checks.Add(new("files", true, $"{Files.Length} files as signed"));

        X509Certificate2 node;
        try
        {
            node = PemFiles.ReadWithKey(F("node.crt"), F("node.key"));
        }
        catch (ProvisioningException ex)
        {
            checks.Add(new("key", false, ex.Message));
            return checks;
        }

        checks.Add(new("key", true, "node.key belongs to node.crt"));
        var problem = CertificateCheck.Problem(node, authority, revoked, now);
        checks.Add(new("certificate", problem is null, problem ?? $"{node.Subject}, valid until {node.NotAfter.ToUniversalTime():yyyy-MM-dd}"
            + (node.NotAfter.ToUniversalTime() - now.UtcDateTime < TimeSpan.FromDays(30) ? " (renew it: less than 30 days left)" : "")));

        var settings = JsonNode.Parse(File.ReadAllText(F("gateway.json")));
        var id = settings?["Gateway"]?["Id"]?.GetValue<string>() ?? "";
        var siteName = settings?["Gateway"]?["Site"]?.GetValue<string>() ?? "";
        var identity = CertificateCheck.Identity(node);
        checks.Add(id == identity && siteName == CertificateCheck.Site(node)
            ? new("identity", true, $"gateway '{id}' of site '{siteName}' is the certificate's name")
            : new("identity", false, $"gateway.json says gateway '{id}' of site '{siteName}', but node.crt is for '{identity}' of site '{CertificateCheck.Site(node)}'"));

        try
        {
            var profile = BoardProfiles.Load(F("board.json"));
            checks.Add(new("board", true, $"board.json is a valid profile ({profile.Name})"));
        }
        catch (BoardProfileException ex)
        {
            checks.Add(new("board", false, ex.Message));
        }

        return checks;
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

    private static string Resource(string name)
    {
        using var stream = typeof(NodeBundle).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"{name} is missing from the tool");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private const string InstallScript = """
        #!/bin/sh
        # Installs this node bundle on the node: run it as root from the bundle's folder. Safe to run again.
        # The gateway itself goes to /opt/edgewatch/gateway (dotnet publish -r linux-arm64 --self-contained).
        set -eu
        cd "$(dirname "$0")"
        for g in gpio i2c; do getent group "$g" >/dev/null || groupadd --system "$g"; done
        id -u edgewatch >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin --user-group edgewatch
        usermod -a -G gpio,i2c edgewatch
        install -d -m 0755 /etc/edgewatch
        install -m 0644 ca.crt board.json /etc/edgewatch/
        # The node's own certificate and key: the gateway renews them here over MQTT before they expire.
        install -d -m 0700 -o edgewatch -g edgewatch /etc/edgewatch/tls
        install -m 0644 -o edgewatch -g edgewatch node.crt /etc/edgewatch/tls/node.crt
        install -m 0600 -o edgewatch -g edgewatch node.key /etc/edgewatch/tls/node.key
        install -m 0644 gateway.json /etc/edgewatch/gateway.json
        install -m 0644 edgewatch-gateway.service /etc/systemd/system/edgewatch-gateway.service
        systemctl daemon-reload
        systemctl enable edgewatch-gateway
        systemctl restart edgewatch-gateway
        echo "EdgeWatch node installed: $(grep -o '"Id": "[^"]*"' gateway.json)"

        """;
}
