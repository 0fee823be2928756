using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using EdgeWatch.Cloud.Site;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeWatch.Cloud.Tests;

/// <summary>The registry's cameras and zones (with the officers who answer for each zone), in the database and over the API.</summary>
[Trait("Category", "Integration")]
public sealed class CamerasApiTests : IAsyncLifetime
{
    private CloudRig _rig = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _rig = await CloudRig.StartAsync(groups: 2, withStaff: true);
        _admin = _rig.Http(CloudRig.AdminToken);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _rig.DisposeAsync();
    }

    private SiteDirectory Current => _rig.App.Services.GetRequiredService<SiteRegistry>().Current;

    [Fact]
    public async Task CamerasAndZoneOfficersAreStoredInTheDatabaseAndLoadBackTheSame()
    {
        var before = Current.Document;
        Assert.Equal((2 * 8) + 3, before.Cameras.Count);

        var loaded = await _rig.Store.LoadRegistryAsync(default);

        Assert.NotNull(loaded);
        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(before.Cameras, CloudJsonContext.Default.ListCameraDocument),
            System.Text.Json.JsonSerializer.Serialize(loaded.Cameras, CloudJsonContext.Default.ListCameraDocument));
        var zone = Assert.Single(loaded.Cameras.Single(c => c is { Gateway: "gw-g1", Id: "cam-1" }).Zones);
        Assert.Equal(before.Cameras[0].Zones[0].Officers, zone.Officers);
        Assert.NotEmpty(zone.Officers);
    }

    [Fact]
    public async Task AnAdminAddsACameraWhoseZoneNamesOfficersAndAnUnknownOfficerAnswers400NamingTheField()
    {
        var officer = Current.Document.Staff.First(s => s.Role == "officer").Name;
        var camera = new { name = "Bến xe Hòa An", zones = new[] { new { id = "bai-xe", name = "bãi xe", officers = new[] { officer } } } };

        var added = await _admin.PutAsJsonAsync(new Uri("/api/registry/cameras/gw-town/cam-benxe", UriKind.Relative), camera);

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var stored = Current.Camera("gw-town", "cam-benxe");
        Assert.NotNull(stored);
        Assert.Equal([officer], stored.Zones[0].Officers);
        Assert.Equal("Bến xe Hòa An", (await _rig.Store.LoadRegistryAsync(default))!.Cameras.Single(c => c.Id == "cam-benxe").Name);

        var unknown = await _admin.PutAsJsonAsync(
            new Uri("/api/registry/cameras/gw-town/cam-benxe", UriKind.Relative),
            new { name = "Bến xe Hòa An", zones = new[] { new { id = "bai-xe", officers = new[] { officer, "Ông Không Có" } } } });

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var errors = (await unknown.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["zones[0].officers[1]"], errors.Select(e => e.Key));
        Assert.Contains("Ông Không Có", (string)errors["zones[0].officers[1]"]![0]!, StringComparison.Ordinal);
        Assert.Equal([officer], Current.Camera("gw-town", "cam-benxe")!.Zones[0].Officers); // nothing applied

        var badGroup = await _admin.PutAsJsonAsync(new Uri("/api/registry/cameras/gw-town/cam-x", UriKind.Relative), new { group = "g99", zones = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.BadRequest, badGroup.StatusCode);
        Assert.Equal(["group"], (await badGroup.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync(new Uri("/api/registry/cameras/gw-town/cam-benxe", UriKind.Relative))).StatusCode);
        Assert.Null(Current.Camera("gw-town", "cam-benxe"));
    }

    [Fact]
    public async Task ALeaderSeesTheirGroupsCamerasOnlyAndCannotChangeAny()
    {
        var created = await _admin.PostAsJsonAsync(new Uri("/api/accounts", UriKind.Relative), new { username = "to-truong-g2", password = "mật-khẩu-dài-đủ", role = "leader", group = "g2" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = (string)(await (await _admin.PostAsJsonAsync(new Uri("/api/accounts/to-truong-g2/tokens", UriKind.Relative), new { name = "phone" })).Content.ReadFromJsonAsync<JsonObject>())!["token"]!;
        using var leader = _rig.Http(token);

        var seen = await leader.GetFromJsonAsync<JsonArray>(new Uri("/api/registry/cameras", UriKind.Relative));

        Assert.Equal(Current.Document.Cameras.Count(c => c.Group == "g2"), seen!.Count);
        Assert.All(seen, c => Assert.Equal("g2", (string?)c!["group"]));
        Assert.Equal(HttpStatusCode.Forbidden, (await leader.GetAsync(new Uri("/api/registry/cameras/gw-g1/cam-1", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await leader.PutAsJsonAsync(new Uri("/api/registry/cameras/gw-g2/cam-1", UriKind.Relative), new { zones = Array.Empty<object>() })).StatusCode);
        using var anonymous = _rig.Http();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/api/registry/cameras", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task AYamlImportReadsCamerasAndNamesTheLineOfAnUnknownZoneKey()
    {
        var yaml = await _admin.GetStringAsync(new Uri("/api/registry/export", UriKind.Relative));
        Assert.Contains("cameras:", yaml, StringComparison.Ordinal);
        var officer = Current.Document.Staff.First(s => s.Role == "officer").Name;
        var changed = yaml.Replace("name: Chợ Hòa An", "name: Chợ mới Hòa An", StringComparison.Ordinal);

        var ok = await _admin.PostAsync(new Uri("/api/registry/import", UriKind.Relative), new StringContent(changed, Encoding.UTF8, "application/yaml"));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(Current.Document.Cameras.Count, (int)(await ok.Content.ReadFromJsonAsync<JsonObject>())!["cameras"]!);
        Assert.Equal("Chợ mới Hòa An", Current.Camera(DemoTown.TownGateway, "cam-cho")!.Name);

        var lines = changed.Split('\n').ToList();
        var zoneLine = lines.FindIndex(l => l.Contains("name: cổng chợ", StringComparison.Ordinal));
        Assert.True(zoneLine > 0, "the exported YAML names the market's zone");
        lines.Insert(zoneLine + 1, lines[zoneLine].Replace("name: cổng chợ", "radius: 5", StringComparison.Ordinal));
        var bad = await _admin.PostAsync(new Uri("/api/registry/import", UriKind.Relative), new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/yaml"));

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal([$"line {zoneLine + 2}.radius"], errors.Select(e => e.Key));
        Assert.Equal("Chợ mới Hòa An", Current.Camera(DemoTown.TownGateway, "cam-cho")!.Name); // nothing applied
        Assert.Contains(officer, Current.Camera("gw-g1", "cam-1")!.Zones[0].Officers);
    }
}
