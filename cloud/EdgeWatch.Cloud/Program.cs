using EdgeWatch.Cloud;
using Microsoft.Extensions.Options;

try
{
    if (args is ["backup", .. var backupArgs])
    {
        return await BackupCommand.RunAsync(backupArgs, Console.Out, Console.Error);
    }

    if (args is ["demo", .. var demoArgs])
    {
        // The demo lives in its own project, so the aggregator ships neither the gateway nor OpenCV.
        return await DemoForwarder.RunAsync(demoArgs);
    }

    await using var app = CloudApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync($"edgewatch-cloud: configuration error: {string.Join("; ", ex.Failures)}");
    return 2;
}
catch (Exception ex) when (ex is InvalidDataException or EdgeWatch.Cloud.Site.RegistryInvalidException)
{
    await Console.Error.WriteLineAsync($"edgewatch-cloud: {ex.Message}");
    return 2;
}
