using System.Security.Claims;
using EdgeWatch.Cloud.Auth;
using EdgeWatch.Cloud.Site;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EdgeWatch.Cloud.Api;

/// <summary>
/// The registry's cameras and their zones' officers over HTTP (<c>/api/registry/cameras</c>). Officers and
/// technicians read them all, a group leader the cameras of their own group; an admin adds or changes one
/// (<c>PUT /api/registry/cameras/{gateway}/{id}</c>, validated with the whole registry: 400 names the field) or
/// removes it.
/// </summary>
public static class CamerasApi
{
    public static void MapCamerasApi(this WebApplication app)
    {
        var cameras = app.MapGroup("/api/registry/cameras").RequireAuthorization(Roles.ReadRegistry);
        cameras.MapGet("/", (ClaimsPrincipal user, SiteRegistry site) =>
            TypedResults.Ok(site.Current.Document.Cameras.Where(c => MaySee(user, c)).ToList()));
        cameras.MapGet("/{gateway}/{id}", Results<Ok<CameraDocument>, NotFound, ForbidHttpResult> (string gateway, string id, ClaimsPrincipal user, SiteRegistry site) =>
            site.Current.Camera(gateway, id) is not { } c ? TypedResults.NotFound() : MaySee(user, c) ? TypedResults.Ok(c) : TypedResults.Forbid());
        cameras.MapPut("/{gateway}/{id}", async Task<Results<Ok<CameraDocument>, ValidationProblem>> (string gateway, string id, CameraDocument camera, SiteRegistry site, CancellationToken ct) =>
        {
            if ((camera.Id.Length > 0 && camera.Id != id) || (camera.Gateway.Length > 0 && camera.Gateway != gateway))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["id"] = [$"'{camera.Gateway}/{camera.Id}' is not the camera in the address ('{gateway}/{id}')"] });
            }

            (camera.Id, camera.Gateway) = (id, gateway);
            var index = -1;
            try
            {
                var next = await site.UpdateAsync(doc =>
                {
                    index = doc.Cameras.FindIndex(c => c.Gateway == gateway && c.Id == id);
                    if (index >= 0)
                    {
                        doc.Cameras[index] = camera;
                    }
                    else
                    {
                        index = doc.Cameras.Count;
                        doc.Cameras.Add(camera);
                    }
                }, ct);
                return TypedResults.Ok(next.Camera(gateway, id)!);
            }
            catch (RegistryInvalidException ex)
            {
                // The camera's fields, as the client sent them: "zones[0].officers[1]".
                var at = $"cameras[{index}].";
                return RegistryApi.Problem(ex.Errors.Select(e => e with { Field = e.Field.Replace(at, "", StringComparison.Ordinal) }));
            }
        }).RequireAuthorization(Roles.ManageSite);
        cameras.MapDelete("/{gateway}/{id}", async Task<Results<NoContent, NotFound>> (string gateway, string id, SiteRegistry site, CancellationToken ct) =>
        {
            if (site.Current.Camera(gateway, id) is null)
            {
                return TypedResults.NotFound();
            }

            await site.UpdateAsync(doc => doc.Cameras.RemoveAll(c => c.Gateway == gateway && c.Id == id), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(Roles.ManageSite);
    }

    /// <summary>A leader sees the cameras of their own group; everyone else with a role sees them all.</summary>
    private static bool MaySee(ClaimsPrincipal user, CameraDocument camera) =>
        !user.IsInRole(Roles.Leader) || (camera.Group is { } group && RegistryApi.MaySee(user, group));
}
