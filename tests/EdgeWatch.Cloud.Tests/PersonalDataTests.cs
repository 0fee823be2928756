using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Emulators;
using EdgeWatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace EdgeWatch.Cloud.Tests;

/// <summary>A person's data on request (Decree 13/2023): exported, then erased, with the audit kept whole.</summary>
[Trait("Category", "Integration")]
public sealed class PersonalDataTests : ModemTest
{

    /// <summary>Group g1 alone with two households on SMS; household h2 has one member.</summary>
    private static void Site(SiteDocument site)
    {
        site.Groups.RemoveRange(1, site.Groups.Count - 1);
        site.Groups[0].Households.RemoveRange(2, site.Groups[0].Households.Count - 2);
        site.Groups[0].Households.ForEach(h => h.Members.ForEach(m => m.Channels = ["sms"]));
        site.Groups[0].Households[1].Members.RemoveAt(1);
    }

    [Fact]
    public async Task APersonsDataIsExportedThenErasedAndTheAuditStillShowsThatEveryMessageWentOut()
    {
        await using var rig = await CloudRig.StartAsync(modems: [Modem], site: Site, extra: new Dictionary<string, string?> { ["Notify:Modem:StatusInterval"] = "00:00:01" });
        var person = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Group("g1")!.Households[0].Members[0];
        var phone = PhoneNumber.Normalise(person.Phone)!;
        var alarm = EventStoreTests.Alarm() with { Household = "h1" };
        await rig.Ingest.HandleAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.FireEvents("town", "gw-g1")).WithPayload(ProtocolJson.Serialize(alarm)).Build(), default);
        await Eventually.WaitAsync(() => rig.Store.ListNotificationsAsync(alarm.Id, 100, default).GetAwaiter().GetResult().All(r => r.Status == "delivered"),
            TimeSpan.FromSeconds(30), "every SMS delivered");
        var rowsBefore = await rig.Store.ListNotificationsAsync(alarm.Id, 100, default);

        using var admin = rig.Http(CloudRig.AdminToken);
        var export = (await admin.GetFromJsonAsync<JsonObject>(new Uri($"/api/people/{Uri.EscapeDataString(person.Phone)}/data", UriKind.Relative)))!;
        Assert.Equal(phone, (string)export["phone"]!);
        var entry = Assert.Single(export["registry"]!.AsArray())!;
        Assert.Equal((person.Name, "g1", "h1"), ((string)entry["name"]!, (string)entry["group"]!, (string)entry["household"]!));
        var messages = export["messages"]!.AsArray();
        Assert.Equal(2, messages.Count); // the fire SMS and its details
        Assert.All(messages, m => Assert.Equal(person.Name, PersonAlert.Parse((string)m!["payload"]!).Name));

        var erase = await admin.DeleteAsync(new Uri($"/api/people/{phone}/data", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        var erased = (await erase.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((1, 3), ((int)erased["registryEntries"]!, (int)erased["messages"]!)); // two SMS and the site's webhook

        // Gone from the registry (the live snapshot and the database) and from every row; the rows themselves stay.
        Assert.DoesNotContain(rig.App.Services.GetRequiredService<SiteRegistry>().Current.Group("g1")!.Households[0].Members, m => m.Name == person.Name);
        Assert.DoesNotContain((await rig.Store.LoadRegistryAsync(default))!.Groups[0].Households[0].Members, m => m.Name == person.Name);
        var rowsAfter = await rig.Store.ListNotificationsAsync(alarm.Id, 100, default);
        Assert.Equal(rowsBefore.Count, rowsAfter.Count);
        Assert.DoesNotContain(rowsAfter, r => r.Destination == phone || (r.Channel != "webhook" && PersonAlert.Parse(r.Payload).Name == person.Name));
        var webhook = System.Text.Json.JsonSerializer.Deserialize(rowsAfter.Single(r => r.Channel == "webhook").Payload, CloudJsonContext.Default.Notification)!;
        Assert.DoesNotContain(webhook.Members, m => m.Name == person.Name || PhoneNumber.Normalise(m.Phone) == phone); // the site's copy too
        Assert.Contains(webhook.Members, m => m.Name == "erased");
        Assert.Single(rowsBefore, r => r.Channel == "webhook");
        Assert.Equal(2, rowsAfter.Count(r => r.Destination == "erased" && r.Status == "delivered"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(new Uri($"/api/people/{phone}/data", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task TheLastMemberOfAHouseholdIsKeptABadNumberIsNamedAndOnlyAnAdminAsks()
    {
        await using var rig = await CloudRig.StartAsync(site: Site);
        var last = rig.App.Services.GetRequiredService<SiteRegistry>().Current.Group("g1")!.Households[1].Members.Single();
        using var admin = rig.Http(CloudRig.AdminToken);
        var refused = await admin.DeleteAsync(new Uri($"/api/people/{PhoneNumber.Normalise(last.Phone)}/data", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("last member of household h2", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(rig.App.Services.GetRequiredService<SiteRegistry>().Current.Group("g1")!.Households[1].Members, m => m.Name == last.Name);

        var bad = await admin.GetAsync(new Uri("/api/people/12345/data", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().ContainsKey("phone"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(new Uri("/api/people/0912345678/data", UriKind.Relative))).StatusCode);
        using var anonymous = rig.Http();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri($"/api/people/{PhoneNumber.Normalise(last.Phone)}/data", UriKind.Relative))).StatusCode);
    }
}
