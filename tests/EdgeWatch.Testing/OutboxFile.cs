using Microsoft.Data.Sqlite;

namespace EdgeWatch.Testing;

/// <summary>Reads a gateway's outbox database from outside the gateway (after it was killed, or read-only while it runs).</summary>
public static class OutboxFile
{
    /// <summary>Sequence numbers still waiting, and the highest sequence number the gateway ever accepted.</summary>
    public static (HashSet<long> Pending, long LastSeq) Read(string path)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT seq FROM outbox WHERE seq > 0";
        var pending = new HashSet<long>();
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                pending.Add(r.GetInt64(0));
            }
        }

        cmd.CommandText = "SELECT value FROM meta WHERE key = 'last_seq'";
        return (pending, cmd.ExecuteScalar() is long last ? last : 0);
    }

    /// <summary>Entries waiting, or 0 when the file does not exist yet or is busy.</summary>
    public static int Pending(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        try
        {
            using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM outbox";
            return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (SqliteException)
        {
            return 0;
        }
    }
}
