using System.Diagnostics;

namespace EdgeWatch.Testing;

/// <summary>
/// A real, tiny filesystem (tmpfs) mounted on a temporary folder, so that a test can fill it and see what a full disk
/// does. Mounting needs root, as on the CI machine; without it the test fails and says so.
/// </summary>
public sealed class TinyTmpfs : IDisposable
{
    /// <param name="readOnly">Mount it read-only (empty; nothing can be created on it).</param>
    public TinyTmpfs(string size = "2m", bool readOnly = false)
    {
        Path = Eventually.TempDirectory("edgewatch-tmpfs");
        Run("mount", "-t", "tmpfs", "-o", readOnly ? $"size={size},ro" : $"size={size}", "tmpfs", Path);
    }

    public string Path { get; }

    /// <summary>Writes a filler file until the filesystem refuses another byte; returns the bytes written.</summary>
    public long Fill()
    {
        long written = 0;
        using var filler = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        foreach (var chunk in new[] { 65536, 4096, 512, 1 })
        {
            var buffer = new byte[chunk];
            while (true)
            {
                try
                {
                    filler.Write(buffer);
                    filler.Flush();
                    written += chunk;
                }
                catch (IOException)
                {
                    break;
                }
            }
        }

        return written;
    }

    /// <summary>Frees the space <see cref="Fill"/> took.</summary>
    public void Free() => File.Delete(System.IO.Path.Combine(Path, "filler"));

    private static void Run(string program, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true, UseShellExecute = false })
            ?? throw new InvalidOperationException($"could not start {program}");
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({p.ExitCode}): {error.Trim()} — mounting a tmpfs needs root");
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Run("umount", "-l", Path);
        Directory.Delete(Path, true);
    }
}
