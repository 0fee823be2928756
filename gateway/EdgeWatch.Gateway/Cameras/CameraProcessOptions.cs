using System.Globalization;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.Cameras;

/// <summary>How the gateway runs and watches its camera process (section <c>CameraProcess</c>).</summary>
public sealed class CameraProcessOptions
{
    public const string Section = "CameraProcess";

    /// <summary>The camera process's executable; empty runs this gateway's own build with the <c>cameras</c> verb.</summary>
    public string? Command { get; set; }

    /// <summary>A camera process that has said nothing (its status comes every second) for this long is killed and restarted.</summary>
    public TimeSpan HangTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a new camera process may take to connect and say hello.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A camera process whose resident memory is above this is killed and restarted (it is also the kernel's first choice when memory runs out).</summary>
    public int MemoryLimitMb { get; set; } = 512;
}

public sealed class CameraProcessOptionsValidator : IValidateOptions<CameraProcessOptions>
{
    public ValidateOptionsResult Validate(string? name, CameraProcessOptions o)
    {
        var errors = new List<string>();
        if (o.HangTimeout < TimeSpan.FromSeconds(2) || o.HangTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{CameraProcessOptions.Section}:HangTimeout must be 2 s to 5 min (was {o.HangTimeout}); the camera process reports every second"));
        }

        if (o.StartTimeout < TimeSpan.FromSeconds(1) || o.StartTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{CameraProcessOptions.Section}:StartTimeout must be 1 s to 5 min (was {o.StartTimeout})"));
        }

        if (o.MemoryLimitMb is < 16 or > 65536)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{CameraProcessOptions.Section}:MemoryLimitMb must be 16–65536 (was {o.MemoryLimitMb})"));
        }

        if (o.Command is { Length: > 0 } command && !File.Exists(command))
        {
            errors.Add($"{CameraProcessOptions.Section}:Command '{command}' does not exist");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
