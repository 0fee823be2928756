namespace EdgeWatch.Cloud.Storage;

public sealed partial class EventStore : ISilenceStore
{
    public async Task AddSilenceAsync(Silence silence, CancellationToken cancellationToken) =>
        await WriteAsync(
            """
            INSERT INTO silences (id, gateway, kinds, starts_at, ends_at, created_by, comment, created_at)
            VALUES ($id, $gw, $kinds, $from, $to, $by, $comment, $at)
            """,
            c =>
            {
                c.Parameters.AddWithValue("$id", silence.Id.ToString("D"));
                c.Parameters.AddWithValue("$gw", silence.Gateway);
                c.Parameters.AddWithValue("$kinds", string.Join(",", silence.Kinds));
                c.Parameters.AddWithValue("$from", Iso(silence.StartsAt));
                c.Parameters.AddWithValue("$to", Iso(silence.EndsAt));
                c.Parameters.AddWithValue("$by", silence.CreatedBy);
                c.Parameters.AddWithValue("$comment", silence.Comment);
                c.Parameters.AddWithValue("$at", Iso(silence.CreatedAt));
            },
            cancellationToken).ConfigureAwait(false);

    public Task<IReadOnlyList<Silence>> CurrentSilencesAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        QueryAsync(
            """
            SELECT id, gateway, kinds, starts_at, ends_at, created_by, comment, created_at, expired_at FROM silences
            WHERE ends_at > $now AND (expired_at IS NULL OR expired_at > $now) ORDER BY ends_at
            """,
            c => c.Parameters.AddWithValue("$now", Iso(now)),
            r => new Silence(
                Guid.Parse(r.GetString(0)), r.GetString(1), r.GetString(2).Split(','), Parse(r.GetString(3)), Parse(r.GetString(4)), r.GetString(5), r.GetString(6),
                Parse(r.GetString(7)), r.IsDBNull(8) ? null : Parse(r.GetString(8))),
            cancellationToken);

    public async Task<bool> ExpireSilenceAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken) =>
        await WriteAsync(
            "UPDATE silences SET expired_at = $now WHERE id = $id AND ends_at > $now AND expired_at IS NULL",
            c =>
            {
                c.Parameters.AddWithValue("$id", id.ToString("D"));
                c.Parameters.AddWithValue("$now", Iso(now));
            },
            cancellationToken).ConfigureAwait(false) == 1;
}
