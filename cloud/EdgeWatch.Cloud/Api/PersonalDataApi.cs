using EdgeWatch.Cloud.Auth;
using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EdgeWatch.Cloud.Api;

/// <summary>One registry entry of a person: a member of a household, or a duty officer or technician.</summary>
public sealed record PersonEntry(
    string Role, string Name, string Phone, string? Group, string? Household, string? Address, IReadOnlyList<string> Channels, string? Language, string? Email,
    IReadOnlyList<ShiftDocument> Shifts);

/// <summary>Everything the aggregator holds about one phone number.</summary>
public sealed record PersonalDataExport(string Phone, IReadOnlyList<PersonEntry> Registry, IReadOnlyList<SentMessage> Messages, IReadOnlyList<IncidentStep> Steps);

public sealed record ErasureResult(int RegistryEntries, int Messages, int Acknowledgements, int Steps);

/// <summary>
/// A person's data on request (Vietnam's Decree 13/2023 on personal data protection), for admins:
/// <c>GET /api/people/{phone}/data</c> exports it, <c>DELETE</c> erases it (the registry entries go; messages and the
/// audit keep that something happened, not to whom). The last member of a household is not erased (409): the
/// household would have nobody to call in a fire, so a contact is added, or the household removed, first.
/// </summary>
public static class PersonalDataApi
{
    public static void MapPersonalDataApi(this WebApplication app)
    {
        var people = app.MapGroup("/api/people").RequireAuthorization(Roles.ManageSite);
        people.MapGet("/{phone}/data", async Task<Results<Ok<PersonalDataExport>, ValidationProblem, NotFound>> (string phone, SiteRegistry registry, IPersonalDataStore store, CancellationToken ct) =>
        {
            if (PhoneNumber.Normalise(phone) is not { } normal)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["phone"] = [$"'{phone}' is not a Vietnamese mobile number"] });
            }

            var entries = Entries(registry.Current.Document, normal);
            if (entries.Count == 0)
            {
                return TypedResults.NotFound();
            }

            var messages = new List<SentMessage>();
            var steps = new List<IncidentStep>();
            foreach (var (name, email) in entries.Select(e => (e.Name, e.Email)).Distinct())
            {
                var stored = await store.ExportPersonAsync(normal, email, name, ct);
                messages.AddRange(stored.Messages.Where(m => !messages.Contains(m)));
                steps.AddRange(stored.Steps.Where(s => !steps.Contains(s)));
            }

            return TypedResults.Ok(new PersonalDataExport(normal, entries, messages, steps));
        });
        people.MapDelete("/{phone}/data", async Task<Results<Ok<ErasureResult>, ValidationProblem, NotFound, ProblemHttpResult>> (string phone, SiteRegistry registry, IPersonalDataStore store, CancellationToken ct) =>
        {
            if (PhoneNumber.Normalise(phone) is not { } normal)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["phone"] = [$"'{phone}' is not a Vietnamese mobile number"] });
            }

            var site = registry.Current.Document;
            var entries = Entries(site, normal);
            if (entries.Count == 0)
            {
                return TypedResults.NotFound();
            }

            if (site.Groups.SelectMany(g => g.Households.Select(h => (g, h))).FirstOrDefault(x => x.h.Members.Count > 0 && x.h.Members.All(m => Is(m, normal))) is { h: not null } last)
            {
                return TypedResults.Problem(
                    $"{entries[0].Name} is the last member of household {last.h.Id} in group {last.g.Id}: add another contact for it, or remove the household, first",
                    statusCode: StatusCodes.Status409Conflict, title: "the household would have nobody to call in a fire");
            }

            await registry.UpdateAsync(doc =>
            {
                foreach (var g in doc.Groups)
                {
                    if (g.Leader is { } leader && g.Households.Any(h => h.Members.Any(m => m.Name == leader && Is(m, normal))))
                    {
                        g.Leader = null;
                    }

                    g.Households.ForEach(h => h.Members.RemoveAll(m => Is(m, normal)));
                }

                // An erased officer no longer answers for a zone: its motion goes to the roster's officers on shift.
                doc.RemoveStaff(s => Is(s, normal));
            }, ct);
            var total = new ErasedRows(0, 0, 0);
            foreach (var (name, email, raw) in entries.Select(e => (e.Name, e.Email, e.Phone)).Distinct())
            {
                var erased = await store.ErasePersonAsync(normal, raw, email, name, ct);
                total = new ErasedRows(total.Messages + erased.Messages, total.Acknowledgements + erased.Acknowledgements, total.Steps + erased.Steps);
            }

            return TypedResults.Ok(new ErasureResult(entries.Count, total.Messages, total.Acknowledgements, total.Steps));
        });
    }

    private static bool Is(PersonDocument p, string phone) => PhoneNumber.Normalise(p.Phone) == phone;

    private static List<PersonEntry> Entries(SiteDocument site, string phone) =>
    [
        .. site.Groups.SelectMany(g => g.Households.SelectMany(h => h.Members.Where(m => Is(m, phone))
            .Select(m => new PersonEntry("member", m.Name, m.Phone, g.Id, h.Id, h.Address, m.Channels, m.Language, m.Email, [])))),
        .. site.Staff.Where(s => Is(s, phone)).Select(s => new PersonEntry(s.Role, s.Name, s.Phone, null, null, null, s.Channels, s.Language, s.Email, s.Shifts)),
    ];
}
