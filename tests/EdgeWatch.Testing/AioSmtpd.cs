using System.Diagnostics;
using System.Net.Sockets;

namespace EdgeWatch.Testing;

/// <summary>
/// Debian's aiosmtpd (python3-aiosmtpd, installed by test.sh) on a free loopback port: a real SMTP server that is not
/// ours, started by the test. Its handler writes each accepted mail, as received, to <see cref="MailDirectory"/>
/// (<c>N.eml</c>). Recipients whose local part starts with <c>refuse</c> are answered <c>550</c> at <c>RCPT TO</c>,
/// <c>later</c> <c>451</c>, and <c>hang</c> get no answer after <c>DATA</c> (the mail is written first: it went out,
/// but the sender can't know).
/// </summary>
public sealed class AioSmtpd : IDisposable
{
    public const string Python = "/usr/bin/python3";

    private const string Handler = """
        import asyncio, itertools, os, sys
        from aiosmtpd.controller import Controller

        class Recorder:
            def __init__(self, directory):
                self.directory = directory
                self.numbers = itertools.count(1)

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                local = address.split('@')[0].lower()
                if local.startswith('refuse'):
                    return '550 5.1.1 <%s>: mailbox unavailable' % address
                if local.startswith('later'):
                    return '451 4.3.0 <%s>: try again later' % address
                envelope.rcpt_tos.append(address)
                return '250 2.1.5 OK'

            async def handle_DATA(self, server, session, envelope):
                n = next(self.numbers)
                path = os.path.join(self.directory, '%d.eml' % n)
                with open(path + '.tmp', 'wb') as f:
                    f.write(envelope.original_content)
                os.rename(path + '.tmp', path)
                if any(r.split('@')[0].lower().startswith('hang') for r in envelope.rcpt_tos):
                    await asyncio.sleep(3600)
                return '250 2.0.0 OK: queued as %d' % n

        controller = Controller(Recorder(sys.argv[3]), hostname=sys.argv[1], port=int(sys.argv[2]))
        controller.start()
        print('ready', flush=True)
        sys.stdin.read()
        controller.stop()
        """;

    private readonly string _dir;
    private readonly Process _process;

    public AioSmtpd()
    {
        if (!File.Exists(Python) || !Directory.Exists("/usr/lib/python3/dist-packages/aiosmtpd"))
        {
            throw new InvalidOperationException("Debian's python3-aiosmtpd is missing: run ./test.sh, which installs it");
        }

        Port = Eventually.FreePort();
        _dir = Eventually.TempDirectory("edgewatch-aiosmtpd");
        MailDirectory = Directory.CreateDirectory(Path.Combine(_dir, "mail")).FullName;
        var script = Path.Combine(_dir, "smtp_recorder.py");
        File.WriteAllText(script, Handler);
        _process = Process.Start(new ProcessStartInfo(Python, [script, Host, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), MailDirectory])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        }) ?? throw new InvalidOperationException("aiosmtpd did not start");
        var sw = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(Host, Port);
                return;
            }
            catch (SocketException) when (sw.Elapsed < TimeSpan.FromSeconds(15) && !_process.HasExited)
            {
                Thread.Sleep(50);
            }
        }
    }

    public static string Host => "127.0.0.1";
    public int Port { get; }
    public string MailDirectory { get; }

    /// <summary>The mails received so far, in order, as the raw bytes the server got.</summary>
    public IReadOnlyList<string> Mails() =>
        [.. Directory.GetFiles(MailDirectory, "*.eml").OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture))];

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }
}
