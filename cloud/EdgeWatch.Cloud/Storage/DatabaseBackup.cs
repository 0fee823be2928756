using System.Globalization;
using Microsoft.Data.Sqlite;

namespace EdgeWatch.Cloud.Storage;

/// <summary>
/// A consistent copy of the live database with SQLite's online backup API (<c>sqlite3_backup</c>, through
/// <see cref="SqliteConnection.BackupDatabase(SqliteConnection)"/>), taken while the aggregator runs: it is written next
/// to the target, checked (<c>PRAGMA integrity_check</c>), and only then renamed over it, so a failed backup never
/// leaves a half-written file where the last good one was.
/// </summary>
public static class DatabaseBackup
{
    public sealed record Result(string Path, long Bytes, long Events, long Incidents);

    public static Result Run(string connectionString, string target)
    {
        var source = new SqliteConnectionStringBuilder(connectionString);
        if (!File.Exists(source.DataSource))
        {
            throw new InvalidDataException($"the database '{source.DataSource}' (Storage:ConnectionString) does not exist");
        }

        var full = Path.GetFullPath(target);
        if (Path.GetDirectoryName(full) is not { } dir || !Directory.Exists(dir))
        {
            throw new InvalidDataException($"the folder of '{target}' does not exist");
        }

        if (string.Equals(full, Path.GetFullPath(source.DataSource), StringComparison.Ordinal))
        {
            throw new InvalidDataException("the backup can't be the database itself");
        }

        var partial = full + ".partial";
        File.Delete(partial);
        using (var from = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        using (var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString()))
        {
            from.Open();
            to.Open();
            from.BackupDatabase(to);
            using var check = to.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            if (check.ExecuteScalar() as string is not "ok" and var problem)
            {
                throw new InvalidDataException($"the copy failed its integrity check: {problem}");
            }
        }

        File.Move(partial, full, overwrite: true);
        using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        copy.Open();
        return new Result(full, new FileInfo(full).Length, Count(copy, "events"), Count(copy, "incidents"));
    }

    private static long Count(SqliteConnection c, string table)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT COUNT(*) FROM {table}";
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
