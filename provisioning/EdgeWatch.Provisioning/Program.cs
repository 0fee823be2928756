// edgewatch-provision: the technician's tool for a new node (identity, credentials, configuration, wiring self-test).
// Commands arrive with the provisioning issue; until then the tool only explains itself.
const string Usage = """
    usage: edgewatch-provision <command>

    Commands are not implemented yet (identity, credentials, configuration and the on-site wiring self-test
    come with the provisioning issue). Wire protocol version: v{0}.
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, Usage, EdgeWatch.Protocol.ProtocolVersion.Current));
    return 0;
}

await Console.Error.WriteLineAsync($"edgewatch-provision: unknown command '{args[0]}'; run with --help");
return 2;
