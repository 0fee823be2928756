using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Protocol;

namespace EdgeWatch.Gateway.Remote;

/// <summary>Carries out commands from <c>cmd/{name}</c>. Identity is the topic: the broker's ACL decides who may publish there.</summary>
public sealed class CommandHandler(FireSafetyEngine engine, RemoteConfiguration config, ArmingState arming)
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

        var camera = config.Cameras.FirstOrDefault(c => c.Id == request.Camera);
        if (camera is null)
        {
            return CommandResult.Refused($"camera '{request.Camera}' is not in this gateway's configuration");
        }

        if (request.Zone is { } zone && camera.Zones.All(z => z.Id != zone))
        {
            return CommandResult.Refused($"camera '{camera.Id}' has no zone '{zone}'");
        }

        arming.Set(camera.Id, request.Zone, armed);
        return CommandResult.Ok($"{(armed ? "armed" : "disarmed")} {camera.Id}{(request.Zone is null ? "" : "/" + request.Zone)}");
    }
}
