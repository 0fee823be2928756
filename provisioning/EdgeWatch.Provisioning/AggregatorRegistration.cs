using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace EdgeWatch.Provisioning;

/// <summary>
/// Registers a node with the aggregator through its authenticated API: the node becomes the gateway of its
/// fire-safety group in the registry (<c>GET</c>/<c>PUT /api/registry/groups/{group}</c>, admin token). Every refusal
/// is one sentence saying what to check.
/// </summary>
public static class AggregatorRegistration
{
    public static async Task RegisterAsync(Uri api, string token, string group, string id, bool replace, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var address = $"api/registry/groups/{Uri.EscapeDataString(group)}";
        JsonNode document;
        try
        {
            using var found = await http.GetAsync(address, cancellationToken).ConfigureAwait(false);
            Check(found, api, $"group '{group}'");
            document = JsonNode.Parse(await found.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))
                ?? throw new ProvisioningException($"the aggregator at {api} answered group '{group}' with nothing");

            var current = document["gateway"]?.GetValue<string>() ?? "";
            if (current.Length > 0 && current != id && !replace)
            {
                throw new ProvisioningException($"group '{group}' is served by gateway '{current}' in the registry: revoke it, or give --replace to put '{id}' in its place");
            }

            document["gateway"] = id;
            using var body = new StringContent(document.ToJsonString(), Encoding.UTF8, "application/json");
            using var saved = await http.PutAsync(address, body, cancellationToken).ConfigureAwait(false);
            Check(saved, api, $"group '{group}'");
        }
        catch (HttpRequestException ex)
        {
            throw new ProvisioningException($"can't reach the aggregator at {api} ({ex.Message}): check the address and the network, or prepare the bundle with --offline");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProvisioningException($"the aggregator at {api} did not answer within 15 s: check the address, or prepare the bundle with --offline");
        }
    }

    private static void Check(HttpResponseMessage response, Uri api, string what)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK:
                return;
            case HttpStatusCode.NotFound:
                throw new ProvisioningException($"{what} is not in the aggregator's registry at {api}: add the group first");
            case HttpStatusCode.Unauthorized:
                throw new ProvisioningException($"the aggregator at {api} refused the token (401): give the site's admin-token, or --token");
            case HttpStatusCode.Forbidden:
                throw new ProvisioningException($"the aggregator at {api} refused to change {what} (403): the token must be an admin's");
            default:
                var detail = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                throw new ProvisioningException($"the aggregator at {api} answered {(int)response.StatusCode} for {what}: {detail}");
        }
    }
}
