using Microsoft.Data.Sqlite;

namespace EdgeWatch.Cloud.Storage;

public sealed partial class EventStore : IPersonalDataStore
{
    private const string TheirRows = """
        (destination = $phone OR destination = $email OR json_extract(payload, '$.phone') = $phone)
        AND channel != 'webhook'
        """;

    public async Task<StoredPersonalData> ExportPersonAsync(string phone, string? email, string name, CancellationToken cancellationToken)
    {
        var messages = await QueryAsync(
            $"SELECT incident_id, channel, status, created_at, delivered_at, payload FROM notification_outbox WHERE {TheirRows} ORDER BY id",
            c => Bind(c, phone, email, name),
            r => new SentMessage(Guid.Parse(r.GetString(0)), r.GetString(1), r.GetString(2), Parse(r.GetString(3)), r.IsDBNull(4) ? null : Parse(r.GetString(4)), r.GetString(5)),
            cancellationToken).ConfigureAwait(false);
        var steps = await QueryAsync(
            "SELECT at, step, actor, detail FROM incident_log WHERE actor IN ($name, $phone) OR instr(detail, $name) > 0 ORDER BY id",
            c => Bind(c, phone, email, name),
            r => new IncidentStep(Parse(r.GetString(0)), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3)),
            cancellationToken).ConfigureAwait(false);
        return new StoredPersonalData(messages, steps);
    }

    public async Task<ErasedRows> ErasePersonAsync(string phone, string registryPhone, string? email, string name, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _connection.BeginTransaction();
            var messages = Change(tx, $"""
                UPDATE notification_outbox SET destination = '{IPersonalDataStore.Erased}',
                  payload = json_set(payload, '$.name', '{IPersonalDataStore.Erased}', '$.phone', '{IPersonalDataStore.Erased}', '$.email', NULL,
                                     '$.ackLink', NULL, '$.household', NULL, '$.address', NULL)
                WHERE {TheirRows} AND status != 'pending'
                """, phone, email, name);
            // The site's webhook body lists every member of the group: their entry keeps only the household.
            using (var c = _connection.CreateCommand())
            {
                c.Transaction = tx;
                c.CommandText = $"""
                    UPDATE notification_outbox SET payload = json_set(payload, '$.members', (
                        SELECT json_group_array(CASE WHEN json_extract(m.value, '$.phone') = $raw
                            THEN json_object('name', '{IPersonalDataStore.Erased}', 'phone', '{IPersonalDataStore.Erased}', 'household', json_extract(m.value, '$.household'))
                            ELSE json(m.value) END)
                        FROM json_each(payload, '$.members') m))
                    WHERE channel = 'webhook' AND status != 'pending'
                      AND EXISTS (SELECT 1 FROM json_each(payload, '$.members') m WHERE json_extract(m.value, '$.phone') = $raw)
                    """;
                Bind(c, phone, email, name);
                c.Parameters.AddWithValue("$raw", registryPhone);
                messages += c.ExecuteNonQuery();
            }

            // A pending message is still owed to them (an open incident): it goes, and is erased on the next request.
            var acks = Change(tx, $"UPDATE incidents SET acknowledged_by = '{IPersonalDataStore.Erased}' WHERE acknowledged_by IN ($name, $phone)", phone, email, name);
            var steps = Change(tx, $"""
                UPDATE incident_log SET actor = CASE WHEN actor IN ($name, $phone) THEN '{IPersonalDataStore.Erased}' ELSE actor END,
                  detail = replace(detail, $name, '{IPersonalDataStore.Erased}')
                WHERE actor IN ($name, $phone) OR instr(detail, $name) > 0
                """, phone, email, name);
            tx.Commit();
            return new ErasedRows(messages, acks, steps);
        }
        finally
        {
            _gate.Release();
        }
    }

    private int Change(SqliteTransaction tx, string sql, string phone, string? email, string name)
    {
        using var c = _connection.CreateCommand();
        c.Transaction = tx;
        c.CommandText = sql;
        Bind(c, phone, email, name);
        return c.ExecuteNonQuery();
    }

    private static void Bind(SqliteCommand c, string phone, string? email, string name)
    {
        c.Parameters.AddWithValue("$phone", phone);
        c.Parameters.AddWithValue("$email", (object?)email ?? DBNull.Value);
        c.Parameters.AddWithValue("$name", name);
    }
}
