using System.Globalization;
using EdgeWatch.Cloud.Notify;

namespace EdgeWatch.Cloud.Site;

/// <summary>One thing wrong with a registry document: the field (a path, or a line and a column name) and why.</summary>
public sealed record RegistryError(string Field, string Message, int? Line = null)
{
    public override string ToString() => Line is { } l ? $"line {l.ToString(CultureInfo.InvariantCulture)}, {Field}: {Message}" : $"{Field}: {Message}";
}

/// <summary>
/// Checks a whole registry document before any of it is stored, and lists every error with its field (and, for an
/// import, its line). Phone numbers must be Vietnamese mobile numbers (<c>0xxx</c>, <c>+84xxx</c>).
/// </summary>
public static class SiteValidator
{
    public static readonly string[] KnownChannels = ["zns", "sms", "call", "email"];
    public static readonly string[] Days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    public static IReadOnlyList<RegistryError> Validate(SiteDocument doc)
    {
        var errors = new List<RegistryError>();
        if (string.IsNullOrWhiteSpace(doc.Site))
        {
            errors.Add(new("site", "is required"));
        }

        var groups = new HashSet<string>(StringComparer.Ordinal);
        for (var gi = 0; gi < doc.Groups.Count; gi++)
        {
            var g = doc.Groups[gi];
            var at = $"groups[{gi}]";
            if (string.IsNullOrWhiteSpace(g.Id) || !groups.Add(g.Id))
            {
                errors.Add(new($"{at}.id", $"'{g.Id}' is empty or repeated", g.Line));
            }

            if (string.IsNullOrWhiteSpace(g.Gateway))
            {
                errors.Add(new($"{at}.gateway", "is required", g.Line));
            }

            if (g.Households.Count is < 1 or > 15)
            {
                errors.Add(new($"{at}.households", $"group '{g.Id}' has {g.Households.Count} households; a fire-safety group has 1–15", g.Line));
            }

            if (g.Leader is { } leader && !g.Households.Any(h => h.Members.Any(m => m.Name == leader)))
            {
                errors.Add(new($"{at}.leader", $"'{leader}' is not a member of the group", g.Line));
            }

            var households = new HashSet<string>(StringComparer.Ordinal);
            for (var hi = 0; hi < g.Households.Count; hi++)
            {
                var h = g.Households[hi];
                var hat = $"{at}.households[{hi}]";
                if (string.IsNullOrWhiteSpace(h.Id) || !households.Add(h.Id))
                {
                    errors.Add(new($"{hat}.id", $"'{h.Id}' is empty or repeated in group '{g.Id}'", h.Line));
                }

                if (h.Members.Count == 0)
                {
                    errors.Add(new($"{hat}.members", $"household '{h.Id}' has no members to notify", h.Line));
                }

                for (var mi = 0; mi < h.Members.Count; mi++)
                {
                    Person(errors, $"{hat}.members[{mi}]", h.Members[mi]);
                }
            }
        }

        for (var si = 0; si < doc.Staff.Count; si++)
        {
            var s = doc.Staff[si];
            var sat = $"staff[{si}]";
            Person(errors, sat, s);
            if (s.Role is not ("officer" or "technician"))
            {
                errors.Add(new($"{sat}.role", $"must be 'officer' or 'technician' (was '{s.Role}')", s.Line));
            }

            for (var k = 0; k < s.Shifts.Count; k++)
            {
                var shift = s.Shifts[k];
                var kat = $"{sat}.shifts[{k}]";
                if (shift.Days.Count == 0 || shift.Days.Any(d => !Days.Contains(d)))
                {
                    errors.Add(new($"{kat}.days", $"must be some of {string.Join(", ", Days)}", s.Line));
                }

                if (!ShiftTime.TryParse(shift.From, out _) || !ShiftTime.TryParse(shift.To, out _))
                {
                    errors.Add(new($"{kat}.from", $"from and to must be HH:mm, 00:00–24:00 (were '{shift.From}', '{shift.To}')", s.Line));
                }

                if (shift.Level is < 1 or > 5)
                {
                    errors.Add(new($"{kat}.level", $"must be 1–5 (was {shift.Level})", s.Line));
                }
            }
        }

        Cameras(errors, doc, groups);
        return errors;
    }

    private static void Cameras(List<RegistryError> errors, SiteDocument doc, HashSet<string> groups)
    {
        var officers = doc.Staff.Where(s => s.Role == "officer").GroupBy(s => s.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var cameras = new HashSet<(string, string)>();
        for (var ci = 0; ci < doc.Cameras.Count; ci++)
        {
            var c = doc.Cameras[ci];
            var at = $"cameras[{ci}]";
            if (string.IsNullOrWhiteSpace(c.Gateway))
            {
                errors.Add(new($"{at}.gateway", "is required", c.Line));
            }

            if (string.IsNullOrWhiteSpace(c.Id) || !cameras.Add((c.Gateway, c.Id)))
            {
                errors.Add(new($"{at}.id", $"'{c.Id}' is empty or repeated on gateway '{c.Gateway}'", c.Line));
            }

            if (c.Group is { } group && !groups.Contains(group))
            {
                errors.Add(new($"{at}.group", $"'{group}' is not a group of the registry", c.Line));
            }

            var zones = new HashSet<string>(StringComparer.Ordinal);
            for (var zi = 0; zi < c.Zones.Count; zi++)
            {
                var z = c.Zones[zi];
                var zat = $"{at}.zones[{zi}]";
                if (string.IsNullOrWhiteSpace(z.Id) || !zones.Add(z.Id))
                {
                    errors.Add(new($"{zat}.id", $"'{z.Id}' is empty or repeated on camera '{c.Id}'", c.Line));
                }

                for (var oi = 0; oi < z.Officers.Count; oi++)
                {
                    var name = z.Officers[oi];
                    var count = officers.GetValueOrDefault(name);
                    if (count != 1)
                    {
                        errors.Add(new($"{zat}.officers[{oi}]", count == 0 ? $"'{name}' is not an officer of the staff" : $"'{name}' names {count} officers; names must tell them apart", c.Line));
                    }
                }
            }
        }
    }

    private static void Person(List<RegistryError> errors, string at, PersonDocument p)
    {
        if (string.IsNullOrWhiteSpace(p.Name))
        {
            errors.Add(new($"{at}.name", "is required", p.Line));
        }

        if (PhoneNumber.Normalise(p.Phone) is null)
        {
            errors.Add(new($"{at}.phone", $"'{p.Phone}' is not a Vietnamese mobile number (0xxx xxx xxx or +84 xxx xxx xxx)", p.Line));
        }

        if (p.Channels.Count == 0 || p.Channels.Any(c => !KnownChannels.Contains(c)) || p.Channels.Distinct().Count() != p.Channels.Count)
        {
            errors.Add(new($"{at}.channels", $"must be one or more of {string.Join(", ", KnownChannels)}, each once (was '{string.Join(",", p.Channels)}')", p.Line));
        }

        if (p.Email is { } email && (!MimeKit.MailboxAddress.TryParse(email, out var parsed) || parsed.Address != email.Trim() || !email.Contains('@', StringComparison.Ordinal)))
        {
            errors.Add(new($"{at}.email", $"'{email}' is not an email address (name@example.vn)", p.Line));
        }
        else if (p.Email is null && p.Channels.Contains("email"))
        {
            errors.Add(new($"{at}.email", "is required with the email channel", p.Line));
        }

        if (p.Language is not (null or "vi" or "en"))
        {
            errors.Add(new($"{at}.language", $"must be 'vi' or 'en' (was '{p.Language}')", p.Line));
        }
    }
}

/// <summary>A shift's time of day: <c>HH:mm</c>, where <c>24:00</c> is the end of the day.</summary>
public static class ShiftTime
{
    public static bool TryParse(string text, out TimeSpan time)
    {
        time = default;
        if (text == "24:00")
        {
            time = TimeSpan.FromHours(24);
            return true;
        }

        return TimeSpan.TryParseExact(text, @"hh\:mm", CultureInfo.InvariantCulture, out time) && time < TimeSpan.FromHours(24);
    }
}
