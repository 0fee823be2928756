using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Protocol;

namespace EdgeWatch.Gateway.Remote;

/// <summary>Carries out commands from <c>cmd/{name}</c>. Identity is the topic: the broker's ACL decides who may publish there.</summary>
public sealed class CommandHandler(FireSafetyEngine engine, RemoteConfiguration config, ArmingState arming, Cameras.CameraProcessSupervisor? cameras = null)
{
    public CommandResult Handle(string name, CommandRequest request)
    {
        var source = $"mqtt:{request.Source ?? "unknown"}";
        return name switch
        {
            CommandNames.Silence => engine.Silence(source),
            CommandNames.Reset => engine.Reset(source),
            CommandNames.SirenTest => request.Seconds is { } s && (s <= 0 || s > 600)
                ? CommandResult.Refused($"seconds must be above 0 and at most 600 (was {s})")
                : engine.StartSirenTest(request.Seconds is { } secs ? TimeSpan.FromSeconds(secs) : null),
            CommandNames.Arm or CommandNames.Disarm => Arm(request, name == CommandNames.Arm),
            CommandNames.Snapshot => request.Camera is null
                ? CommandResult.Refused("snapshot needs 'camera'")
                : cameras?.RequestSnapshot(request.Camera) is { } id
                    ? CommandResult.Ok($"snapshot {id:D} of {request.Camera} follows on snapshot/{id:D}")
                    : CommandResult.Refused($"camera '{request.Camera}' has no running capture pipeline on this gateway"),
            _ => CommandResult.Refused($"unknown command '{name}'; known: {string.Join(", ", CommandNames.All)}"),
        };
    }

    private CommandResult Arm(CommandRequest request, bool armed)
    {
        if (request.Camera is null)
        {
            return CommandResult.Refused($"{(armed ? "arm" : "disarm")} needs 'camera'");
        }

        // A camera is known from the remote configuration or the local settings.
        var zones = config.Cameras.FirstOrDefault(c => c.Id == request.Camera)?.Zones.Select(z => z.Id)
            ?? cameras?.ZoneIds(request.Camera);
        if (zones is null)
        {
            return CommandResult.Refused($"camera '{request.Camera}' is not in this gateway's configuration");
        }

        if (request.Zone is { } zone && !zones.Contains(zone))
        {
            return CommandResult.Refused($"camera '{request.Camera}' has no zone '{zone}'");
        }

        arming.Set(request.Camera, request.Zone, armed);
        return CommandResult.Ok($"{(armed ? "armed" : "disarmed")} {request.Camera}{(request.Zone is null ? "" : "/" + request.Zone)}");
    }
}
