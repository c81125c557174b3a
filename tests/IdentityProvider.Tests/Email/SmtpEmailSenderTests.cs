using Microsoft.Extensions.Time.Testing;
using OnePass.IdentityProvider.Features.Email;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Email;

/// <summary>The SMTP backing against a tiny in-test SMTP server on loopback (issue 6 item 1).</summary>
public sealed class SmtpEmailSenderTests
{
    private const string Password = "smtp-password-never-logged-7d1f";
    private static readonly DateTimeOffset Now = new(2026, 3, 14, 9, 26, 53, TimeSpan.Zero);

    private readonly CapturingLogger<SmtpEmailSender> _log = new();

    private SmtpEmailSender Sender(int port, string security = SmtpSecurity.None, string? username = null, TimeSpan? timeout = null) => new(
        Mail.Options(options => options.Smtp = new SmtpOptions
        {
            Host = "127.0.0.1",
            Port = port,
            Security = security,
            Username = username,
            Password = username is null ? null : Password,
        }),
        new FakeTimeProvider(Now),
        _log)
    {
        Timeout = timeout ?? SmtpEmailSender.DefaultTimeout,
    };

    [Fact]
    public async Task SendAsync_PlainRelayOnLoopback_ServerReceivesExactlyTheMessage()
    {
        await using var server = new TinySmtpServer();
        var message = Mail.Sample();

        await Sender(server.Port).SendAsync(message);

        var received = await server.NextMessageAsync();
        Assert.Single(server.Received);
        Assert.StartsWith("MAIL FROM:<no-reply@login.example.gov>", received.MailFrom, StringComparison.Ordinal);
        Assert.Equal(["RCPT TO:<kim.citizen@example.test>"], received.Recipients);
        var mime = Mail.Load(received.Data);
        Assert.Equal("no-reply@login.example.gov", Assert.Single(mime.From.Mailboxes).Address);
        Assert.Equal(message.To, Assert.Single(mime.To.Mailboxes).Address);
        Assert.Empty(mime.Cc);
        Assert.Empty(mime.Bcc);
        Assert.Equal(message.Subject, mime.Subject);
        Assert.Equal(Mail.Lines(message.TextBody), Mail.Lines(mime.TextBody).TrimEnd('\n'));
        Assert.Equal(Mail.Lines(message.HtmlBody), Mail.Lines(mime.HtmlBody).TrimEnd('\n'));
        Assert.Equal(Now, mime.Date);
        Assert.EndsWith("@login.example.gov", mime.MessageId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_AfterTheMessage_SaysQuit()
    {
        await using var server = new TinySmtpServer();

        await Sender(server.Port).SendAsync(Mail.Sample());

        await server.NextMessageAsync();
        Assert.Equal("QUIT", server.Commands.Last());
    }

    [Fact]
    public async Task SendAsync_WithCredentialsToLoopbackRelay_AuthenticatesWithThem()
    {
        await using var server = new TinySmtpServer(offerAuth: true);

        await Sender(server.Port, username: "mailer").SendAsync(Mail.Sample());

        var received = await server.NextMessageAsync();
        Assert.Equal($"\0mailer\0{Password}", received.Credentials);
    }

    [Fact]
    public async Task SendAsync_StartTlsButServerOffersNoStartTls_ThrowsWithoutSendingCredentialsOrMessage()
    {
        await using var server = new TinySmtpServer(offerAuth: true);

        var exception = await Assert.ThrowsAsync<EmailDeliveryException>(() => Sender(server.Port, SmtpSecurity.StartTls, "mailer").SendAsync(Mail.Sample()));

        Assert.Contains("127.0.0.1", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Commands, command => command.StartsWith("AUTH", StringComparison.OrdinalIgnoreCase) || command.StartsWith("MAIL", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task SendAsync_ServerDown_ThrowsEmailDeliveryExceptionNamingTheHost()
    {
        var port = OnePassHost.FreePort();

        var exception = await Assert.ThrowsAsync<EmailDeliveryException>(() => Sender(port).SendAsync(Mail.Sample()));

        Assert.Contains($"127.0.0.1:{port}", exception.Message, StringComparison.Ordinal);
        Assert.NotNull(exception.InnerException);
    }

    [Fact]
    public async Task SendAsync_ServerDown_FailureIsAnIOExceptionLikeThePickupFolders()
    {
        var port = OnePassHost.FreePort();

        await Assert.ThrowsAnyAsync<IOException>(() => Sender(port).SendAsync(Mail.Sample()));
    }

    [Fact]
    public async Task SendAsync_ServerDown_LogsHostAndError()
    {
        var port = OnePassHost.FreePort();

        await Assert.ThrowsAsync<EmailDeliveryException>(() => Sender(port).SendAsync(Mail.Sample()));

        var line = Assert.Single(_log.Lines);
        Assert.StartsWith("Error:", line, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ServerHangs_ThrowsEmailDeliveryExceptionWithinTheTimeout()
    {
        await using var server = new TinySmtpServer(silent: true);

        var exception = await Assert.ThrowsAsync<EmailDeliveryException>(() => Sender(server.Port, timeout: TimeSpan.FromMilliseconds(500)).SendAsync(Mail.Sample()));

        Assert.Contains("127.0.0.1", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_CallerCancels_ThrowsOperationCanceledNotDeliveryFailure()
    {
        await using var server = new TinySmtpServer(silent: true);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Sender(server.Port).SendAsync(Mail.Sample(), cancel.Token));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-27")]
    public async Task SendAsync_ServerRefusesTheMessage_LogNamesHostButNeverBodyLinkSubjectOrPassword()
    {
        await using var server = new TinySmtpServer(offerAuth: true, rejectRecipients: true);
        var message = Mail.Sample();

        var exception = await Assert.ThrowsAsync<EmailDeliveryException>(() => Sender(server.Port, username: "mailer").SendAsync(message));

        var line = Assert.Single(_log.Lines);
        Assert.Contains("127.0.0.1", line, StringComparison.Ordinal);
        Assert.Contains("mailbox unavailable", line, StringComparison.Ordinal);
        string[] secrets = [Password, Mail.Link, "CfDJ8-secret-reset-token", message.Subject, "김시민"];
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, line, StringComparison.Ordinal));
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, exception.ToString(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("[::1]", true)]
    [InlineData("smtp.example.gov", false)]
    [InlineData("10.0.0.5", false)]
    [InlineData("localhost.evil.example", false)]
    [InlineData("", false)]
    public void IsLoopback_Host_IsTrueOnlyForLoopback(string host, bool loopback)
    {
        Assert.Equal(loopback, SmtpEmailSender.IsLoopback(host));
    }
}
