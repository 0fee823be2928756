using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;

namespace EdgeWatch.Demo;

/// <summary><c>./demo.sh [--port N] [--lang vi|en]</c>: a whole site with no hardware and no services.</summary>
public static class DemoCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var portOption = new Option<int>("--port") { Description = "HTTP port of the aggregator (default: a free port)", DefaultValueFactory = _ => 0 };
        portOption.Validators.Add(r =>
        {
            // A value that isn't a number is reported by the parser itself; this checks the range of one that is.
            if (r.Tokens is [var token] && int.TryParse(token.Value, CultureInfo.InvariantCulture, out var port) && port is < 1 or > 65535)
            {
                r.AddError("--port must be between 1 and 65535");
            }
        });
        var langOption = new Option<string>("--lang") { Description = "language of what the demo prints: vi (default) or en", DefaultValueFactory = _ => "vi" };
        langOption.AcceptOnlyFromAmong("vi", "en");

        var root = new RootCommand("EdgeWatch demo site: the aggregator plus simulated gateways, boards and cameras, in one process");
        root.Options.Add(portOption);
        root.Options.Add(langOption);
        root.SetAction((parse, _) => RunSiteAsync(parse.GetValue(portOption), DemoTexts.For(parse.GetValue(langOption)!)));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"demo: {error.Message}").ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync("demo: usage: ./demo.sh [--port <1-65535>] [--lang vi|en]").ConfigureAwait(false);
            return 2;
        }

        // The demo handles Ctrl+C and SIGTERM itself, so that the site stops cleanly however long that takes.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }

    private static async Task<int> RunSiteAsync(int port, DemoTexts t)
    {
        var missing = SystemPackages.Missing(SystemPackages.Video);
        if (missing.Count > 0)
        {
            Console.WriteLine(t.MissingPackages);
            foreach (var m in missing)
            {
                Console.WriteLine($"  - {m.Package}: {m.Purpose(t.Language)}");
            }

            Console.WriteLine(t.InstallHint);
            Console.WriteLine(t.StartingWithoutCameras);
            Console.WriteLine();
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            stop.Cancel();
        });

        const int Groups = 2, Households = 8;
        await using var site = await DemoSite.StartAsync(Groups, Households, port, withCameras: missing.Count == 0, texts: t, cancellationToken: stop.Token).ConfigureAwait(false);
        var http = site.HttpAddress;
        Console.WriteLine($"""

            {t.Running(Groups, Households)}
            {(missing.Count == 0 ? t.WithCameras : t.WithoutCameras)}
              {t.Aggregator,-14} {http}   ({t.LivePage} {http}/api/events)
              {t.Broker,-14} mqtt://127.0.0.1:{site.BrokerPort}   ({t.Watch}: mosquitto_sub -h 127.0.0.1 -p {site.BrokerPort} -t 'edgewatch/#' -v)
              {t.Data,-14} {site.Directory}
            {t.Registry(DemoSite.RegistryGroups, DemoSite.RegistryGroups * Households)}
              curl -H 'Authorization: Bearer {site.AdminToken}' {http}/api/registry/groups

            {t.TripHelp}
              curl -X POST '{http}/demo/trip?gateway=gw-g1&channel=h3.call-point.inside'
            {string.Format(CultureInfo.InvariantCulture, t.WatchHelp, http)}
            {t.Then}
              curl -X POST '{http}/demo/silence?gateway=gw-g1'
              curl -X POST '{http}/demo/restore?gateway=gw-g1&channel=h3.call-point.inside'
              curl -X POST '{http}/demo/reset?gateway=gw-g1'
            {t.CtrlC}
            """);
        Console.Out.Flush();

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        Console.WriteLine(t.Stopping);
        return 0;
    }
}
