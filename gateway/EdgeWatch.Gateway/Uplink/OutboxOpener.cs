using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>What opening the outbox at start found; <see cref="Problem"/> is raised as a <c>storage</c> trouble.</summary>
public sealed record OutboxHealth(string? Problem, bool InMemory);

/// <summary>The outbox the gateway runs with, and how it was opened.</summary>
public sealed record OpenedOutbox(Outbox Outbox, OutboxHealth Health);

/// <summary>
/// Opens the outbox so that a bad disk never keeps the engine from starting. An outbox that can't be opened (corrupt,
/// unreadable, read-only, full) is moved aside with a timestamped name and a fresh one is started; if even that fails,
/// the gateway runs with an in-memory queue (events wait in memory for the network and are lost at restart).
/// </summary>
internal static partial class OutboxOpener
{
    public static OpenedOutbox Open(string path, long budgetBytes, TimeProvider time, ILogger logger)
    {
        try
        {
            return new OpenedOutbox(new Outbox(path, budgetBytes, time), new OutboxHealth(null, false));
        }
        catch (Exception first) when (IsStorageFault(first))
        {
            var aside = string.Create(CultureInfo.InvariantCulture, $"{path}.broken-{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}");
            try
            {
                foreach (var suffix in new[] { "", "-wal", "-shm" })
                {
                    if (File.Exists(path + suffix))
                    {
                        File.Move(path + suffix, aside + suffix, overwrite: true);
                    }
                }

                var fresh = new Outbox(path, budgetBytes, time);
                var problem = $"outbox could not be opened ({first.Message}); moved aside to {Path.GetFileName(aside)} and started a fresh one";
                MovedAside(logger, path, aside, first.Message);
                return new OpenedOutbox(fresh, new OutboxHealth(problem, false));
            }
            catch (Exception second) when (IsStorageFault(second))
            {
                InMemory(logger, path, second.Message);
                var problem = $"outbox could not be opened ({first.Message}) nor replaced ({second.Message}); events are queued in memory only";
                return new OpenedOutbox(new Outbox(":memory:", budgetBytes, time), new OutboxHealth(problem, true));
            }
        }
    }

    private static bool IsStorageFault(Exception ex) => ex is SqliteException or IOException or UnauthorizedAccessException;

    [LoggerMessage(EventId = 2300, Level = LogLevel.Critical, Message = "Outbox {Path} could not be opened ({Error}); moved aside to {Aside}, started a fresh one. Fire safety is not affected")]
    private static partial void MovedAside(ILogger logger, string path, string aside, string error);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Critical, Message = "No outbox can be opened at {Path} ({Error}); running with an in-memory queue. Fire safety is not affected; queued events are lost at restart")]
    private static partial void InMemory(ILogger logger, string path, string error);
}
