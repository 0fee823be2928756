using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeWatch.Provisioning;

/// <summary>Certificates and keys as PEM files: keys readable by their owner only (mode 0600).</summary>
public static class PemFiles
{
    public static void WriteCertificate(string path, X509Certificate2 certificate) =>
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n");

    public static void WriteKey(string path, X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new ProvisioningException($"no private key to write to {path}");
        WriteSecret(path, key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    public static void WriteSecret(string path, string text)
    {
        File.WriteAllText(path, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(path, text);
    }

    /// <summary>A certificate file, or a plain sentence saying what is wrong with it.</summary>
    public static X509Certificate2 ReadCertificate(string path)
    {
        if (!File.Exists(path))
        {
            throw new ProvisioningException($"{path} is missing");
        }

        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(path));
        }
        catch (CryptographicException ex)
        {
            throw new ProvisioningException($"{path} is not a PEM certificate ({ex.Message.Trim()})");
        }
    }

    /// <summary>A certificate with its key, or a plain sentence: missing file, unreadable, or a key that isn't the certificate's.</summary>
    public static X509Certificate2 ReadWithKey(string certificatePath, string keyPath)
    {
        var certificate = ReadCertificate(certificatePath);
        if (!File.Exists(keyPath))
        {
            throw new ProvisioningException($"{keyPath} is missing");
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (CryptographicException ex)
        {
            throw new ProvisioningException($"{keyPath} is not the key of {certificatePath} ({ex.Message.Trim()})");
        }
        finally
        {
            certificate.Dispose();
        }
    }
}
