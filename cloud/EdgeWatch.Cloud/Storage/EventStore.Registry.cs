using EdgeWatch.Cloud.Site;
using Microsoft.Data.Sqlite;

namespace EdgeWatch.Cloud.Storage;

public sealed partial class EventStore : IRegistryStore
{
    public async Task<SiteDocument?> LoadRegistryAsync(CancellationToken cancellationToken)
    {
        var site = (await QueryAsync("SELECT site FROM registry_site WHERE id = 1", _ => { }, r => r.GetString(0), cancellationToken).ConfigureAwait(false)).SingleOrDefault();
        if (site is null)
        {
            return null;
        }

        var doc = new SiteDocument { Site = site };
        var groups = await QueryAsync(
            "SELECT id, name, short_name, leader, gateway FROM fire_groups ORDER BY position", _ => { },
            r => new GroupDocument { Id = r.GetString(0), Name = Text(r, 1), ShortName = Text(r, 2), Leader = Text(r, 3), Gateway = r.GetString(4) },
            cancellationToken).ConfigureAwait(false);
        doc.Groups.AddRange(groups);
        var byGroup = groups.ToDictionary(g => g.Id);
        var households = await QueryAsync(
            "SELECT grp, id, address, latitude, longitude FROM households ORDER BY grp, position", _ => { },
            r => (Group: r.GetString(0), Household: new HouseholdDocument
            {
                Id = r.GetString(1), Address = Text(r, 2), Latitude = r.IsDBNull(3) ? null : r.GetDouble(3), Longitude = r.IsDBNull(4) ? null : r.GetDouble(4),
            }),
            cancellationToken).ConfigureAwait(false);
        var byHousehold = new Dictionary<(string, string), HouseholdDocument>();
        foreach (var (group, household) in households)
        {
            byGroup[group].Households.Add(household);
            byHousehold[(group, household.Id)] = household;
        }

        var people = await QueryAsync(
            "SELECT id, role, grp, household, name, phone, channels, language, fictitious, email FROM people ORDER BY position", _ => { },
            r => (Id: r.GetInt64(0), Role: r.GetString(1), Group: Text(r, 2), Household: Text(r, 3), Name: r.GetString(4), Phone: r.GetString(5),
                Channels: r.GetString(6).Split(',').ToList(), Language: Text(r, 7), Fictitious: r.GetInt32(8) != 0, Email: Text(r, 9)),
            cancellationToken).ConfigureAwait(false);
        var staff = new Dictionary<long, StaffDocument>();
        foreach (var p in people)
        {
            if (p.Role == "member")
            {
                byHousehold[(p.Group!, p.Household!)].Members.Add(new MemberDocument { Name = p.Name, Phone = p.Phone, Channels = p.Channels, Language = p.Language, Fictitious = p.Fictitious, Email = p.Email });
            }
            else
            {
                var s = new StaffDocument { Name = p.Name, Phone = p.Phone, Channels = p.Channels, Language = p.Language, Fictitious = p.Fictitious, Email = p.Email, Role = p.Role };
                staff[p.Id] = s;
                doc.Staff.Add(s);
            }
        }

        foreach (var (person, shift) in await QueryAsync(
            "SELECT person, days, starts, ends, level FROM shifts ORDER BY id", _ => { },
            r => (r.GetInt64(0), new ShiftDocument { Days = [.. r.GetString(1).Split(',')], From = r.GetString(2), To = r.GetString(3), Level = r.GetInt32(4) }),
            cancellationToken).ConfigureAwait(false))
        {
            staff[person].Shifts.Add(shift);
        }

        var cameras = await QueryAsync(
            "SELECT gateway, id, name, grp FROM cameras ORDER BY position", _ => { },
            r => new CameraDocument { Gateway = r.GetString(0), Id = r.GetString(1), Name = Text(r, 2), Group = Text(r, 3) },
            cancellationToken).ConfigureAwait(false);
        doc.Cameras.AddRange(cameras);
        var byCamera = cameras.ToDictionary(c => (c.Gateway, c.Id));
        var zones = new Dictionary<(string, string, string), ZoneDocument>();
        foreach (var (gateway, camera, zone) in await QueryAsync(
            "SELECT gateway, camera, id, name FROM camera_zones ORDER BY position", _ => { },
            r => (r.GetString(0), r.GetString(1), new ZoneDocument { Id = r.GetString(2), Name = Text(r, 3) }),
            cancellationToken).ConfigureAwait(false))
        {
            byCamera[(gateway, camera)].Zones.Add(zone);
            zones[(gateway, camera, zone.Id)] = zone;
        }

        foreach (var (zone, officer) in await QueryAsync(
            "SELECT gateway, camera, zone, officer FROM zone_officers ORDER BY position", _ => { },
            r => ((r.GetString(0), r.GetString(1), r.GetString(2)), r.GetString(3)),
            cancellationToken).ConfigureAwait(false))
        {
            zones[zone].Officers.Add(officer);
        }

        return doc;
    }

    public async Task ReplaceRegistryAsync(SiteDocument document, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _connection.BeginTransaction();
            Run(tx, "DELETE FROM zone_officers; DELETE FROM camera_zones; DELETE FROM cameras; DELETE FROM shifts; DELETE FROM people; DELETE FROM households; DELETE FROM fire_groups; DELETE FROM registry_site;", _ => { });
            Run(tx, "INSERT INTO registry_site (id, site, updated_at) VALUES (1, $site, $at)", c =>
            {
                c.Parameters.AddWithValue("$site", document.Site);
                c.Parameters.AddWithValue("$at", Iso(at));
            });
            var position = 0;
            foreach (var g in document.Groups)
            {
                Run(tx, "INSERT INTO fire_groups (id, position, name, short_name, leader, gateway) VALUES ($id, $pos, $name, $short, $leader, $gw)", c =>
                {
                    c.Parameters.AddWithValue("$id", g.Id);
                    c.Parameters.AddWithValue("$pos", position++);
                    c.Parameters.AddWithValue("$name", (object?)g.Name ?? DBNull.Value);
                    c.Parameters.AddWithValue("$short", (object?)g.ShortName ?? DBNull.Value);
                    c.Parameters.AddWithValue("$leader", (object?)g.Leader ?? DBNull.Value);
                    c.Parameters.AddWithValue("$gw", g.Gateway);
                });
                foreach (var h in g.Households)
                {
                    Run(tx, "INSERT INTO households (grp, id, position, address, latitude, longitude) VALUES ($g, $id, $pos, $address, $lat, $lon)", c =>
                    {
                        c.Parameters.AddWithValue("$g", g.Id);
                        c.Parameters.AddWithValue("$id", h.Id);
                        c.Parameters.AddWithValue("$pos", position++);
                        c.Parameters.AddWithValue("$address", (object?)h.Address ?? DBNull.Value);
                        c.Parameters.AddWithValue("$lat", (object?)h.Latitude ?? DBNull.Value);
                        c.Parameters.AddWithValue("$lon", (object?)h.Longitude ?? DBNull.Value);
                    });
                    foreach (var m in h.Members)
                    {
                        InsertPerson(tx, "member", g.Id, h.Id, position++, m);
                    }
                }
            }

            foreach (var s in document.Staff)
            {
                var id = InsertPerson(tx, s.Role, null, null, position++, s);
                foreach (var shift in s.Shifts)
                {
                    Run(tx, "INSERT INTO shifts (person, days, starts, ends, level) VALUES ($p, $days, $from, $to, $level)", c =>
                    {
                        c.Parameters.AddWithValue("$p", id);
                        c.Parameters.AddWithValue("$days", string.Join(",", shift.Days));
                        c.Parameters.AddWithValue("$from", shift.From);
                        c.Parameters.AddWithValue("$to", shift.To);
                        c.Parameters.AddWithValue("$level", shift.Level);
                    });
                }
            }

            foreach (var camera in document.Cameras)
            {
                InsertCamera(tx, camera, ref position);
            }

            tx.Commit();
        }
        finally
        {
            _gate.Release();
        }
    }

    private void InsertCamera(SqliteTransaction tx, CameraDocument camera, ref int position)
    {
        var at = position++;
        Run(tx, "INSERT INTO cameras (gateway, id, position, name, grp) VALUES ($gw, $id, $pos, $name, $grp)", c =>
        {
            c.Parameters.AddWithValue("$gw", camera.Gateway);
            c.Parameters.AddWithValue("$id", camera.Id);
            c.Parameters.AddWithValue("$pos", at);
            c.Parameters.AddWithValue("$name", (object?)camera.Name ?? DBNull.Value);
            c.Parameters.AddWithValue("$grp", (object?)camera.Group ?? DBNull.Value);
        });
        foreach (var zone in camera.Zones)
        {
            var zoneAt = position++;
            Run(tx, "INSERT INTO camera_zones (gateway, camera, id, position, name) VALUES ($gw, $cam, $id, $pos, $name)", c =>
            {
                c.Parameters.AddWithValue("$gw", camera.Gateway);
                c.Parameters.AddWithValue("$cam", camera.Id);
                c.Parameters.AddWithValue("$id", zone.Id);
                c.Parameters.AddWithValue("$pos", zoneAt);
                c.Parameters.AddWithValue("$name", (object?)zone.Name ?? DBNull.Value);
            });
            foreach (var officer in zone.Officers)
            {
                var officerAt = position++;
                Run(tx, "INSERT INTO zone_officers (gateway, camera, zone, position, officer) VALUES ($gw, $cam, $zone, $pos, $officer)", c =>
                {
                    c.Parameters.AddWithValue("$gw", camera.Gateway);
                    c.Parameters.AddWithValue("$cam", camera.Id);
                    c.Parameters.AddWithValue("$zone", zone.Id);
                    c.Parameters.AddWithValue("$pos", officerAt);
                    c.Parameters.AddWithValue("$officer", officer);
                });
            }
        }
    }

    private long InsertPerson(SqliteTransaction tx, string role, string? group, string? household, int position, PersonDocument p)
    {
        using var c = _connection.CreateCommand();
        c.Transaction = tx;
        c.CommandText = """
            INSERT INTO people (role, grp, household, position, name, phone, channels, language, fictitious, email)
            VALUES ($role, $g, $h, $pos, $name, $phone, $channels, $lang, $fict, $email) RETURNING id
            """;
        c.Parameters.AddWithValue("$role", role);
        c.Parameters.AddWithValue("$g", (object?)group ?? DBNull.Value);
        c.Parameters.AddWithValue("$h", (object?)household ?? DBNull.Value);
        c.Parameters.AddWithValue("$pos", position);
        c.Parameters.AddWithValue("$name", p.Name);
        c.Parameters.AddWithValue("$phone", p.Phone);
        c.Parameters.AddWithValue("$channels", string.Join(",", p.Channels));
        c.Parameters.AddWithValue("$lang", (object?)p.Language ?? DBNull.Value);
        c.Parameters.AddWithValue("$fict", p.Fictitious ? 1 : 0);
        c.Parameters.AddWithValue("$email", (object?)p.Email?.Trim() ?? DBNull.Value);
        return (long)c.ExecuteScalar()!;
    }

    private void Run(SqliteTransaction tx, string sql, Action<SqliteCommand> bind)
    {
        using var c = _connection.CreateCommand();
        c.Transaction = tx;
        c.CommandText = sql;
        bind(c);
        c.ExecuteNonQuery();
    }

    public async Task<Account> CreateAccountAsync(string username, string role, string? group, string? passwordHash, DateTimeOffset at, CancellationToken cancellationToken) =>
        (await QueryAsync(
            "INSERT INTO accounts (username, password_hash, role, grp, created_at) VALUES ($u, $p, $r, $g, $at) RETURNING id, username, role, grp, password_hash",
            c =>
            {
                c.Parameters.AddWithValue("$u", username);
                c.Parameters.AddWithValue("$p", (object?)passwordHash ?? DBNull.Value);
                c.Parameters.AddWithValue("$r", role);
                c.Parameters.AddWithValue("$g", (object?)group ?? DBNull.Value);
                c.Parameters.AddWithValue("$at", Iso(at));
            },
            ReadAccount,
            cancellationToken).ConfigureAwait(false)).Single();

    public async Task<Account?> FindAccountAsync(string username, CancellationToken cancellationToken) =>
        (await QueryAsync("SELECT id, username, role, grp, password_hash FROM accounts WHERE username = $u", c => c.Parameters.AddWithValue("$u", username), ReadAccount, cancellationToken).ConfigureAwait(false))
        .SingleOrDefault();

    public Task AddTokenAsync(long account, string tokenHash, string name, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(
            "INSERT INTO api_tokens (hash, account, name, created_at) VALUES ($h, $a, $n, $at) ON CONFLICT (hash) DO NOTHING",
            c =>
            {
                c.Parameters.AddWithValue("$h", tokenHash);
                c.Parameters.AddWithValue("$a", account);
                c.Parameters.AddWithValue("$n", name);
                c.Parameters.AddWithValue("$at", Iso(at));
            },
            cancellationToken);

    public async Task<Account?> FindTokenAsync(string tokenHash, CancellationToken cancellationToken) =>
        (await QueryAsync(
            "SELECT a.id, a.username, a.role, a.grp, a.password_hash FROM api_tokens t JOIN accounts a ON a.id = t.account WHERE t.hash = $h AND t.revoked_at IS NULL",
            c => c.Parameters.AddWithValue("$h", tokenHash), ReadAccount, cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    private static Account ReadAccount(SqliteDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2), Text(r, 3), Text(r, 4));

    private static string? Text(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
