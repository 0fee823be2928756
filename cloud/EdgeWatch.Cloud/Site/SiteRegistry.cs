using EdgeWatch.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Site;

/// <summary>
/// The site registry: the database holds it (<see cref="IRegistryStore"/>), and <see cref="Current"/> is a validated
/// in-memory snapshot, so the fire path never waits on the database to learn whom to call. A change (the API, an
/// import) is validated as a whole, stored in one transaction, then swapped in; a bad one changes nothing. On a new
/// database the registry starts from the site file (<c>Site:File</c>).
/// </summary>
public sealed partial class SiteRegistry : IDisposable
{
    private readonly IRegistryStore _store;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _write = new(1, 1);
    private volatile SiteDirectory _current;

    public SiteRegistry(IRegistryStore store, IOptions<SiteOptions> options, TimeProvider time, ILogger<SiteRegistry> logger)
    {
        _store = store;
        _time = time;
        if (store.LoadRegistryAsync(CancellationToken.None).GetAwaiter().GetResult() is { } stored)
        {
            _current = new SiteDirectory(stored);
            return;
        }

        var file = options.Value.File;
        if (!File.Exists(file))
        {
            throw new InvalidDataException($"the registry is empty and the site file '{file}' (Site:File) does not exist: give a site file to start from");
        }

        _current = SiteDirectory.Load(file);
        store.ReplaceRegistryAsync(_current.Document, time.GetUtcNow(), CancellationToken.None).GetAwaiter().GetResult();
        var households = _current.Document.Groups.Sum(g => g.Households.Count);
        Imported(logger, file, _current.Document.Groups.Count, households);
    }

    public SiteDirectory Current => _current;

    /// <summary>Validates and stores a new registry; throws <see cref="RegistryInvalidException"/> with every error.</summary>
    public Task<SiteDirectory> ReplaceAsync(SiteDocument document, CancellationToken cancellationToken) =>
        ApplyAsync(_ => document, cancellationToken);

    /// <summary>Changes a copy of the current document under the write lock, then validates and stores it.</summary>
    public Task<SiteDirectory> UpdateAsync(Action<SiteDocument> change, CancellationToken cancellationToken) =>
        ApplyAsync(current =>
        {
            var copy = RegistryCopy.Of(current);
            change(copy);
            return copy;
        }, cancellationToken);

    private async Task<SiteDirectory> ApplyAsync(Func<SiteDocument, SiteDocument> next, CancellationToken cancellationToken)
    {
        await _write.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var document = next(_current.Document);
            var validated = new SiteDirectory(document);
            await _store.ReplaceRegistryAsync(document, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            _current = validated;
            return validated;
        }
        finally
        {
            _write.Release();
        }
    }

    public void Dispose() => _write.Dispose();

    [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "Registry: started from the site file {File}: {Groups} groups, {Households} households")]
    private static partial void Imported(ILogger logger, string file, int groups, int households);
}

/// <summary>A deep copy of a registry document (through its JSON form), to change without touching the live one.</summary>
internal static class RegistryCopy
{
    public static SiteDocument Of(SiteDocument doc) =>
        System.Text.Json.JsonSerializer.Deserialize(System.Text.Json.JsonSerializer.Serialize(doc, CloudJsonContext.Default.SiteDocument), CloudJsonContext.Default.SiteDocument)!;
}
