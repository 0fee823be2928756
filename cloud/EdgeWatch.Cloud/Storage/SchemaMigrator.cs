using System.Globalization;
using System.Reflection;
using DbUp;
using DbUp.Engine;
using Microsoft.Data.Sqlite;

namespace EdgeWatch.Cloud.Storage;

/// <summary>
/// Versioned migrations with DbUp: the scripts in <c>Storage/Migrations/&lt;Provider&gt;/NNNN_name.sql</c>, each applied
/// once and recorded in DbUp's <c>SchemaVersions</c> journal. A scale-out provider adds its own folder with the same
/// numbers. Databases made before DbUp (numbered by <c>PRAGMA user_version</c>) are adopted: the scripts their version
/// already covers are marked as applied, and the rest run.
/// </summary>
public static class SchemaMigrator
{
    public const string SqliteFolder = "Sqlite";

    /// <summary>The migration script names for a provider, in order (the resource names end with the file name).</summary>
    public static IReadOnlyList<string> Scripts(string provider) =>
        [.. typeof(SchemaMigrator).Assembly.GetManifestResourceNames().Where(n => IsScript(n, provider)).Order(StringComparer.Ordinal)];

    private static bool IsScript(string resource, string provider) =>
        resource.Contains($".Storage.Migrations.{provider}.", StringComparison.Ordinal) && resource.EndsWith(".sql", StringComparison.Ordinal);

    /// <summary>Upgrades the database to the newest schema and returns the number of scripts applied in all.</summary>
    public static int Upgrade(SqliteConnection connection)
    {
        var engine = DeployChanges.To
            .SqliteDatabase(new DbUp.Sqlite.Helpers.SharedConnection(connection))
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), n => IsScript(n, SqliteFolder))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build();
        var scripts = Scripts(SqliteFolder);
        if (LegacyVersion(connection) is { } legacy)
        {
            // 0: the first schema (0001); 1: it and alarm ids (0002).
            var marked = engine.MarkAsExecuted(scripts[Math.Min(legacy, scripts.Count - 1)]);
            if (!marked.Successful)
            {
                throw new InvalidOperationException($"adopting the database's schema version {legacy} failed: {marked.Error.Message}", marked.Error);
            }
        }

        var result = engine.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"database migration {result.ErrorScript?.Name ?? "?"} failed: {result.Error.Message}", result.Error);
        }

        return engine.GetExecutedScripts().Count;
    }

    /// <summary>The <c>user_version</c> of a database made before DbUp; null for a new or already journalled one.</summary>
    private static int? LegacyVersion(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'),
                   (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'SchemaVersions')
            """;
        using var r = cmd.ExecuteReader();
        r.Read();
        if (r.GetInt64(0) == 0 || r.GetInt64(1) == 1)
        {
            return null;
        }

        r.Close();
        cmd.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
