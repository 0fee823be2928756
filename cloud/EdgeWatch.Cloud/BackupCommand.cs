using System.CommandLine;
using EdgeWatch.Cloud.Storage;
using Microsoft.Extensions.Configuration;

namespace EdgeWatch.Cloud;

/// <summary>
/// <c>edgewatch-cloud backup --to FILE</c>: a consistent copy of the database the aggregator uses (its
/// <c>Storage:ConnectionString</c>, from the same configuration files and <c>EDGEWATCH_</c> variables), taken online.
/// </summary>
public static class BackupCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var to = new Option<string>("--to") { Description = "the backup file to write (replaced only once the new copy is checked)", Required = true };
        var database = new Option<string?>("--database") { Description = "a connection string instead of Storage:ConnectionString" };
        var root = new RootCommand("edgewatch-cloud backup: an online, checked copy of the aggregator's SQLite database");
        root.Options.Add(to);
        root.Options.Add(database);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors)
            {
                await error.WriteLineAsync($"edgewatch-cloud backup: {e.Message}").ConfigureAwait(false);
            }

            await error.WriteLineAsync("edgewatch-cloud backup: usage: edgewatch-cloud backup --to <file> [--database <connection string>]").ConfigureAwait(false);
            return 2;
        }

        var connection = parsed.GetValue(database) ?? StorageConnection();
        try
        {
            var result = DatabaseBackup.Run(connection, parsed.GetValue(to)!);
            await output.WriteLineAsync($"Đã sao lưu / backed up: {result.Path} ({result.Bytes} bytes, {result.Events} events, {result.Incidents} incidents)").ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (ex is InvalidDataException or Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"edgewatch-cloud backup: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static string StorageConnection()
    {
        var configuration = CloudApp.AddConfiguration(new ConfigurationBuilder(), []).Build();
        return configuration[$"{StorageOptions.Section}:ConnectionString"] ?? new StorageOptions().ConnectionString;
    }
}
