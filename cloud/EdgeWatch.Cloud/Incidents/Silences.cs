using EdgeWatch.Cloud.Storage;

namespace EdgeWatch.Cloud.Incidents;

/// <summary>
/// Whether a new incident is silenced: a gateway's <c>trouble</c>, <c>offline</c> or <c>motion</c> incidents during maintenance open
/// as usual and are written down, but tell nobody. A fire is never silenced: a drill uses the gateway's siren test
/// mode, whose events open no incident, and a real alarm during a drill still goes out.
/// </summary>
public sealed class Silences(ISilenceStore store, TimeProvider time)
{
    public static readonly string[] Kinds = [TroubleIncidents.Kind, GatewayWatch.Kind, MotionIncidents.Kind];

    /// <summary>The silence that covers a new <paramref name="kind"/> incident of <paramref name="gateway"/> now, if any.</summary>
    public async Task<Silence?> MatchAsync(string gateway, string kind, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return (await store.CurrentSilencesAsync(now, cancellationToken).ConfigureAwait(false)).FirstOrDefault(s => s.Covers(gateway, kind, now));
    }
}
