using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace OnePass.IdentityProvider.Tests.Email;

/// <summary>One message as a mail server received it: the envelope and the raw DATA (dot-unstuffed).</summary>
internal sealed record ReceivedMail(string MailFrom, IReadOnlyList<string> Recipients, byte[] Data, string? Credentials);

/// <summary>
/// Just enough SMTP on a loopback port for the tests: 220, EHLO/HELO, optional AUTH PLAIN, MAIL FROM, RCPT TO,
/// DATA, RSET, NOOP, QUIT. Plain text only (no STARTTLS). Every command line it reads is kept.
/// </summary>
internal sealed class TinySmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<ReceivedMail> _messages = Channel.CreateUnbounded<ReceivedMail>();
    private readonly Task _loop;

    /// <param name="offerAuth">Advertise and accept AUTH PLAIN.</param>
    /// <param name="silent">Accept connections but never answer (a hung server).</param>
    /// <param name="rejectRecipients">Answer RCPT TO with 550.</param>
    public TinySmtpServer(bool offerAuth = false, bool silent = false, bool rejectRecipients = false)
    {
        OfferAuth = offerAuth;
        Silent = silent;
        RejectRecipients = rejectRecipients;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = AcceptAsync();
    }

    public int Port { get; }

    public bool OfferAuth { get; }

    public bool Silent { get; }

    public bool RejectRecipients { get; }

    /// <summary>Every command line received (outside DATA), in order.</summary>
    public ConcurrentQueue<string> Commands { get; } = new();

    /// <summary>Messages whose DATA ended with "." and were accepted.</summary>
    public IReadOnlyList<ReceivedMail> Received => [.. _received];

    private readonly ConcurrentQueue<ReceivedMail> _received = new();

    public async Task<ReceivedMail> NextMessageAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _messages.Reader.ReadAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var sessions = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                sessions.Add(Task.Run(() => ServeAsync(client)));
            }
        }
        finally
        {
            await Task.WhenAll(sessions.Select(session => session.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            if (Silent)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            // Latin-1 maps every byte to one char and back, so DATA keeps its bytes exactly.
            using var reader = new StreamReader(stream, Encoding.Latin1, detectEncodingFromByteOrderMarks: false);
            await using var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 tiny.test ESMTP");
            string? mailFrom = null;
            string? credentials = null;
            var recipients = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                Commands.Enqueue(line);
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-tiny.test");
                        if (OfferAuth)
                        {
                            await writer.WriteLineAsync("250-AUTH PLAIN");
                        }

                        await writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 tiny.test");
                        break;
                    case "AUTH" when OfferAuth:
                        var parts = line.Split(' ');
                        var initial = parts.Length > 2 ? parts[2] : null;
                        if (initial is null)
                        {
                            await writer.WriteLineAsync("334 ");
                            initial = await reader.ReadLineAsync(_stop.Token) ?? string.Empty;
                        }

                        credentials = Encoding.UTF8.GetString(Convert.FromBase64String(initial));
                        await writer.WriteLineAsync("235 2.7.0 accepted");
                        break;
                    case "MAIL":
                        mailFrom = line;
                        recipients.Clear();
                        await writer.WriteLineAsync("250 2.1.0 ok");
                        break;
                    case "RCPT":
                        if (RejectRecipients)
                        {
                            await writer.WriteLineAsync("550 5.1.1 mailbox unavailable");
                            break;
                        }

                        recipients.Add(line);
                        await writer.WriteLineAsync("250 2.1.5 ok");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                        {
                            data.Append(dataLine.StartsWith('.') ? dataLine[1..] : dataLine).Append("\r\n");
                        }

                        var mail = new ReceivedMail(mailFrom ?? string.Empty, [.. recipients], Encoding.Latin1.GetBytes(data.ToString()), credentials);
                        _received.Enqueue(mail);
                        await _messages.Writer.WriteAsync(mail);
                        await writer.WriteLineAsync("250 2.0.0 queued");
                        break;
                    case "RSET":
                    case "NOOP":
                        await writer.WriteLineAsync("250 2.0.0 ok");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 2.0.0 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 5.5.2 not implemented");
                        break;
                }
            }
        }
    }
}
