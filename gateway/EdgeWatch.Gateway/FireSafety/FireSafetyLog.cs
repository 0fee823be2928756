using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.FireSafety;

internal static partial class FireSafetyLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Critical, Message = "FIRE ALARM group {Group}: {Channel} ({Cause}) in household {Household}; sounding {Sirens} sirens")]
    public static partial void Alarm(ILogger logger, string group, string? channel, string? cause, string? household, int sirens);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Fire event {Kind} seq {Seq} channel {Channel} cause {Cause} test {Test}")]
    public static partial void Event(ILogger logger, FireEventKind kind, long seq, string? channel, string? cause, bool test);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Trouble {Cause} on {Channel}: {Detail}")]
    public static partial void Trouble(ILogger logger, string cause, string channel, string? detail);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Trouble cleared {Cause} on {Channel}")]
    public static partial void TroubleCleared(ILogger logger, string cause, string channel);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Reset refused: {Reason}")]
    public static partial void ResetRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Fire-safety engine started for group {Group}: {Inputs} inputs, {Sirens} sirens, {Probes} heat probes, {Loops} supervised loops")]
    public static partial void Started(ILogger logger, string group, int inputs, int sirens, int probes, int loops);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Error, Message = "Event sink failed for event {Seq}; the event is logged here and kept by the sink's own store")]
    public static partial void SinkFailed(ILogger logger, long seq, Exception exception);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Critical, Message = "FIRE ALARM RESUMED group {Group}: alarm {AlarmId} from {Channel} was latched at {Since} before the restart; sounding every siren again")]
    public static partial void Resumed(ILogger logger, string group, Guid alarmId, string channel, DateTimeOffset since);
}
