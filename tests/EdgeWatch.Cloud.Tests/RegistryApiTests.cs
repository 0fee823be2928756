using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using EdgeWatch.Cloud.Site;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeWatch.Cloud.Tests;

/// <summary>The registry in the database, behind the authenticated API: roles, a leader's own group, imports.</summary>
[Trait("Category", "Integration")]
public sealed class RegistryApiTests : IAsyncLifetime
{
    private CloudRig _rig = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _rig = await CloudRig.StartAsync(groups: 3);
        _admin = _rig.Http(CloudRig.AdminToken);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _rig.DisposeAsync();
    }

    private SiteDocument Current => _rig.App.Services.GetRequiredService<SiteRegistry>().Current.Document;

    private async Task<HttpClient> SignedInAsync(string username, string role, string? group = null)
    {
        var created = await _admin.PostAsJsonAsync(new Uri("/api/accounts", UriKind.Relative), new { username, password = "mật-khẩu-dài-đủ", role, group });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var login = await _rig.Http().PostAsJsonAsync(new Uri("/api/auth/token", UriKind.Relative), new { username, password = "mật-khẩu-dài-đủ" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = (string)(await login.Content.ReadFromJsonAsync<JsonObject>())!["token"]!;
        Assert.StartsWith("ew_", token, StringComparison.Ordinal);
        return _rig.Http(token);
    }

    [Fact]
    public async Task ARequestWithoutATokenOrWithAWrongOneGets401()
    {
        using var anonymous = _rig.Http();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/api/registry/groups", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsJsonAsync(new Uri("/api/gateways/gw-g1/config", UriKind.Relative), new { version = 9 })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync(new Uri("/api/accounts", UriKind.Relative), new { username = "mallory", role = "admin" })).StatusCode);
        using var forged = _rig.Http("ew_not-a-token-anyone-was-given-0000");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync(new Uri("/api/registry/groups", UriKind.Relative))).StatusCode);
        var wrongPassword = await anonymous.PostAsJsonAsync(new Uri("/api/auth/token", UriKind.Relative), new { username = "admin", password = "guess-guess-guess" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
    }

    [Fact]
    public async Task AGroupLeaderSeesAndChangesOnlyTheirOwnGroupAndAnOfficerChangesNone()
    {
        using var leader = await SignedInAsync("to-truong-g1", "leader", "g1");
        var groups = await leader.GetFromJsonAsync<JsonArray>(new Uri("/api/registry/groups", UriKind.Relative));
        Assert.Equal(["g1"], groups!.Select(g => (string)g!["id"]!));
        Assert.Equal(HttpStatusCode.Forbidden, (await leader.GetAsync(new Uri("/api/registry/groups/g2", UriKind.Relative))).StatusCode);
        var g2 = Current.Groups[1];
        Assert.Equal(HttpStatusCode.Forbidden, (await leader.PutAsJsonAsync(new Uri("/api/registry/groups/g2", UriKind.Relative), g2, CloudJsonContext.Default.GroupDocument)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await leader.GetAsync(new Uri("/api/registry/export", UriKind.Relative))).StatusCode);

        // The leader renames a member of their own group: the live snapshot and the database both have it.
        var g1 = await leader.GetFromJsonAsync(new Uri("/api/registry/groups/g1", UriKind.Relative), CloudJsonContext.Default.GroupDocument);
        g1!.Households[0].Members[0].Name = "Trần Thị Bích Ngọc";
        var put = await leader.PutAsJsonAsync(new Uri("/api/registry/groups/g1", UriKind.Relative), g1, CloudJsonContext.Default.GroupDocument);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("Trần Thị Bích Ngọc", Current.Groups[0].Households[0].Members[0].Name);
        Assert.Equal("Trần Thị Bích Ngọc", (await _rig.Store.LoadRegistryAsync(default))!.Groups[0].Households[0].Members[0].Name);

        using var officer = await SignedInAsync("can-bo-truc", "officer");
        Assert.Equal(3, (await officer.GetFromJsonAsync<JsonArray>(new Uri("/api/registry/groups", UriKind.Relative)))!.Count);
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PutAsJsonAsync(new Uri("/api/registry/groups/g1", UriKind.Relative), g1, CloudJsonContext.Default.GroupDocument)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PutAsJsonAsync(new Uri("/api/gateways/gw-g1/config", UriKind.Relative), new { version = 9 })).StatusCode);
    }

    [Fact]
    public async Task ABadGroupChangeAnswers400NamingTheFieldAndChangesNothing()
    {
        var g1 = await _admin.GetFromJsonAsync(new Uri("/api/registry/groups/g1", UriKind.Relative), CloudJsonContext.Default.GroupDocument);
        var before = g1!.Households[1].Members[0].Phone;
        g1.Households[1].Members[0].Phone = "0123";
        g1.Households[1].Members[0].Channels = ["zalo"];
        var put = await _admin.PutAsJsonAsync(new Uri("/api/registry/groups/g1", UriKind.Relative), g1, CloudJsonContext.Default.GroupDocument);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        var errors = (await put.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["households[1].members[0].channels", "households[1].members[0].phone"], errors.Select(e => e.Key).Order());
        Assert.Equal(before, Current.Groups[0].Households[1].Members[0].Phone);
    }

    [Fact]
    public async Task ACsvImportWithABadRowIsReportedByLineAndColumnAndNothingIsHalfImported()
    {
        var csv = await _admin.GetStringAsync(new Uri("/api/registry/export?format=csv", UriKind.Relative));
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.Equal(1 + (3 * 16), lines.Count); // a header and one row per member

        // Line 2 gets a new name (good); line 7 a bad phone and line 12 no name: the whole import is refused.
        var nameBefore = Current.Groups[0].Households[0].Members[0].Name;
        var members = Current.Groups.SelectMany(g => g.Households).SelectMany(h => h.Members).ToList(); // in row order
        var edited = lines.Select((l, i) => i switch
        {
            1 => l.Replace(nameBefore, "Lê Văn Tám", StringComparison.Ordinal),
            6 => l.Replace(members[5].Phone, "0123 456", StringComparison.Ordinal),
            11 => l.Replace($",{members[10].Name},", ",,", StringComparison.Ordinal),
            _ => l,
        });
        var bad = await _admin.PostAsync(new Uri("/api/registry/import", UriKind.Relative), new StringContent(string.Join("\n", edited), Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["line 12.name", "line 7.phone"], errors.Select(e => e.Key).Order());
        Assert.Equal(nameBefore, Current.Groups[0].Households[0].Members[0].Name);

        // The good change alone goes in.
        var good = lines.Select((l, i) => i == 1 ? l.Replace(nameBefore, "Lê Văn Tám", StringComparison.Ordinal) : l);
        var ok = await _admin.PostAsync(new Uri("/api/registry/import", UriKind.Relative), new StringContent(string.Join("\n", good), Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("Lê Văn Tám", Current.Groups[0].Households[0].Members[0].Name);

    }

    [Fact]
    public async Task AYamlExportImportsBackUnchangedAndABadYamlNamesEachLine()
    {
        var yaml = await _admin.GetStringAsync(new Uri("/api/registry/export", UriKind.Relative));
        var before = System.Text.Json.JsonSerializer.Serialize(Current, CloudJsonContext.Default.SiteDocument);
        var ok = await _admin.PostAsync(new Uri("/api/registry/import", UriKind.Relative), new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(before, System.Text.Json.JsonSerializer.Serialize(Current, CloudJsonContext.Default.SiteDocument));

        const string broken = """
            site: town
            groups:
              - id: g1
                gateway: gw-g1
                colour: red
                households:
                  - id: h1
                    members:
                      - name: Võ Thị Sáu
                        phone: "+84 12"
            """;
        var bad = await _admin.PostAsync(new Uri("/api/registry/import", UriKind.Relative), new StringContent(broken, Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Contains("line 5.colour", errors.Select(e => e.Key));
        Assert.Equal(before, System.Text.Json.JsonSerializer.Serialize(Current, CloudJsonContext.Default.SiteDocument));

        // The unknown key fixed, the bad phone is found on its own line.
        var second = await _admin.PostAsync(new Uri("/api/registry/import", UriKind.Relative), new StringContent(broken.Replace("    colour: red\n", "", StringComparison.Ordinal), Encoding.UTF8, "application/yaml"));
        var secondErrors = (await second.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["line 8.phone"], secondErrors.Select(e => e.Key));
    }

    [Fact]
    public async Task BadAccountInputAnswers400NamingTheFields()
    {
        var bad = await _admin.PostAsJsonAsync(new Uri("/api/accounts", UriKind.Relative), new { username = "A", role = "mayor", password = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["password", "role", "username"], errors.Select(e => e.Key).Order());
        var leaderWithoutGroup = await _admin.PostAsJsonAsync(new Uri("/api/accounts", UriKind.Relative), new { username = "to-truong", role = "leader", group = "g99" });
        Assert.Equal(["group"], (await leaderWithoutGroup.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
    }
}
