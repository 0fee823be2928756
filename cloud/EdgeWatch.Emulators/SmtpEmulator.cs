using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace EdgeWatch.Emulators;

/// <summary>A mail the emulator accepted, decoded (UTF-8 subject and text).</summary>
public sealed record EmailMessage(string From, IReadOnlyList<string> To, string? ToName, string Subject, string Text, string? MessageId);

/// <summary>
/// A local SMTP server (the SmtpServer library) on a loopback port for the demo and the benchmark: it speaks real
/// ESMTP, answers <c>250</c> after <c>DATA</c> and keeps each mail decoded by MimeKit. Addresses in
/// <see cref="Refuse"/> are refused at <c>RCPT TO</c> (<c>550</c>). The tests of the SMTP channel use Debian's aiosmtpd instead, an independent server.
/// </summary>
public sealed class SmtpEmulator : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    private SmtpEmulator(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("edgewatch-smtp-emulator")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add(new Filter(this));
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public static string Host => "127.0.0.1";
    public int Port { get; }
    public ConcurrentQueue<EmailMessage> Accepted { get; } = new();
    public ConcurrentDictionary<string, bool> Refuse { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Called for each accepted mail (the demo prints it).</summary>
    public Action<EmailMessage>? OnAccepted { get; set; }

    public static SmtpEmulator Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new SmtpEmulator(port);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _server.Shutdown();
        try
        {
            await _running.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private sealed class Store(SmtpEmulator owner) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var mime = await MimeMessage.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
            var mail = new EmailMessage(
                transaction.From.AsAddress(),
                [.. transaction.To.Select(t => t.AsAddress())],
                mime.To.Mailboxes.FirstOrDefault()?.Name,
                mime.Subject ?? "",
                mime.TextBody ?? "",
                mime.MessageId);
            owner.Accepted.Enqueue(mail);
            owner.OnAccepted?.Invoke(mail);
            return SmtpResponse.Ok;
        }
    }

    private sealed class Filter(SmtpEmulator owner) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(!owner.Refuse.ContainsKey(to.AsAddress()));
    }
}
