using System.Net;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace OnePass.IdentityProvider.Features.Email;

/// <summary>
/// Sends each message over SMTP with MailKit: one connection per message, encrypted by STARTTLS (default) or
/// TLS from the first byte; plain SMTP only to a loopback relay. Credentials are never sent over a connection
/// that is not encrypted, except to such a relay. Every step is bounded by <see cref="Timeout"/>; a failure
/// is logged with the host and the error (never the message, its links or the password) and thrown as
/// <see cref="EmailDeliveryException"/>.
/// </summary>
public sealed class SmtpEmailSender(IOptions<EmailOptions> options, TimeProvider time, ILogger<SmtpEmailSender> logger) : IEmailSender
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long the whole exchange (connect, TLS, authenticate, send, quit) may take.</summary>
    internal TimeSpan Timeout { get; init; } = DefaultTimeout;

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var settings = options.Value.Smtp;
        var host = settings.Host ?? throw new InvalidOperationException("OnePass__Email__Smtp__Host is not set.");
        using var mime = EmailMessages.ToMime(message, options.Value.From, time.GetUtcNow());

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(host, settings.Port, SocketOptions(settings.Security), timeout.Token);
            if (!string.IsNullOrEmpty(settings.Username))
            {
                if (!client.IsEncrypted && !(SmtpSecurity.Is(settings.Security, SmtpSecurity.None) && IsLoopback(host)))
                {
                    throw new AuthenticationException("the connection is not encrypted; the credentials were not sent.");
                }

                await client.AuthenticateAsync(settings.Username, settings.Password ?? string.Empty, timeout.Token);
            }

            await client.SendAsync(mime, timeout.Token);
            await client.DisconnectAsync(quit: true, timeout.Token);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception) when (exception is not EmailDeliveryException)
        {
            var error = exception is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:0.#} s" : $"{exception.GetType().Name}: {exception.Message}";
            logger.LogError("Sending an e-mail through SMTP host {SmtpHost}:{SmtpPort} failed: {SmtpError}", host, settings.Port, error);
            throw new EmailDeliveryException($"The e-mail could not be sent through SMTP host {host}:{settings.Port} ({error}).", exception);
        }
    }

    internal static SecureSocketOptions SocketOptions(string security) =>
        SmtpSecurity.Is(security, SmtpSecurity.None) ? SecureSocketOptions.None
        : SmtpSecurity.Is(security, SmtpSecurity.SslOnConnect) ? SecureSocketOptions.SslOnConnect
        : SecureSocketOptions.StartTls; // never StartTlsWhenAvailable: a server without STARTTLS is refused

    /// <summary><c>localhost</c> or a loopback address (127.0.0.0/8, ::1).</summary>
    public static bool IsLoopback(string? host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(host?.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
